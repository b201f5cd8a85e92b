package devidp

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A refused redirect URI shows what arrived and what is registered.
func TestRedirectRefusalExplains(t *testing.T) {
	f := newFixture(t, Cognito)
	q := authQuery()
	q.Set("redirect_uri", redirect+"/")
	resp, err := f.hc.Get(f.srv.URL + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
		t.Fatalf("status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, want := range []string{`received:   "` + redirect + `/"`, `registered: "` + redirect + `"`, `client "spa"`, "-redirect-uri"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("refusal %q lacks %q", body, want)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("refusal served as %q: the received URI must not be rendered as HTML", ct)
	}
}

// An AnyLoopback client accepts any loopback http redirect and logout URI
// and allows CORS from loopback origins; everything else stays exact.
func TestAnyLoopback(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.RegisterClient(Client{ID: "dev", RedirectURIs: []string{"https://app.example.com/cb"}, AnyLoopback: true})
	for u, ok := range map[string]bool{
		"http://127.0.0.1:5173/":            true,
		"http://localhost:3000/auth/cb":     true,
		"http://[::1]:8080/callback?x=1":    true,
		"http://127.0.0.2/cb":               true,
		"https://app.example.com/cb":        true,
		"https://127.0.0.1:5173/cb":         false, // only http is free-form
		"http://127.0.0.1.evil.example/cb":  false,
		"http://localhost.evil.example/cb":  false,
		"http://user@127.0.0.1:5173/cb":     false,
		"http://127.0.0.1:5173/cb#fragment": false,
		"http://192.168.1.2:5173/cb":        false,
		"https://app.example.com/cb/":       false,
	} {
		q := authQuery()
		q.Set("client_id", "dev")
		q.Set("redirect_uri", u)
		resp := f.authorize(t, q)
		if got := resp.StatusCode == 200; got != ok {
			t.Errorf("redirect_uri %s: status %d, want accepted=%v", u, resp.StatusCode, ok)
		}
		if ok && resp.StatusCode == 200 {
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+originOf(u)+";") {
				t.Errorf("login page for %s: CSP %q", u, csp)
			}
		}
	}
	// The code is bound to the loopback URI it was issued for.
	q := authQuery()
	q.Set("client_id", "dev")
	q.Set("redirect_uri", "http://localhost:5173/")
	code := f.code(t, q, "vite")
	form := exchangeForm(code, verifier)
	form.Set("client_id", "dev")
	form.Set("redirect_uri", "http://localhost:5174/")
	wantTokenError(t, f.token(t, form), 400, "invalid_grant")

	for origin, allowed := range map[string]bool{"http://localhost:5173": true, "http://127.0.0.1:1234": true, "https://app.example.com": true, "http://evil.example": false} {
		req, _ := http.NewRequest("OPTIONS", f.srv.URL+"/oauth2/token", nil)
		req.Header.Set("Origin", origin)
		resp, err := f.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin") == origin; got != allowed {
			t.Errorf("CORS for %s: %v, want %v", origin, got, allowed)
		}
	}
	resp, err := f.hc.Get(f.srv.URL + "/logout?client_id=dev&logout_uri=" + url.QueryEscape("http://localhost:5173/"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 {
		t.Errorf("loopback logout_uri: %d", resp.StatusCode)
	}
	// The exact client of the fixture is unchanged.
	q = authQuery()
	q.Set("redirect_uri", "http://localhost:5173/")
	if resp := f.authorize(t, q); resp.StatusCode != 400 {
		t.Errorf("exact client took a loopback URI: %d", resp.StatusCode)
	}
}

// RejectAPICalls answers 401 invalid_token with the challenge exposed to
// pages, and every request is counted.
func TestAPIRejectsAndExposesChallenge(t *testing.T) {
	f := newFixture(t, Cognito)
	at := f.token(t, exchangeForm(f.code(t, authQuery(), "bob"), verifier)).body["access_token"].(string)
	f.s.RejectAPICalls(1)
	call := func() *http.Response {
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+at)
		req.Header.Set("Origin", "http://127.0.0.1:8080")
		resp, err := f.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	r := call()
	if r.StatusCode != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("rejected call: %d %q", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
	if !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
		t.Fatalf("challenge not exposed to the page: %q", r.Header.Get("Access-Control-Expose-Headers"))
	}
	if r := call(); r.StatusCode != 200 {
		t.Fatalf("second call: %d", r.StatusCode)
	}
	if n, ok := f.s.APIRequests(), f.s.APICalls(); n != 2 || ok != 1 {
		t.Fatalf("%d requests, %d authorised; want 2 and 1", n, ok)
	}
}
