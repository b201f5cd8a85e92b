package app

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gopkce/gopkce/wasm/server/tokenhandler"
)

// POST /api/m2m spends the server's client_credentials: headers anyone can
// set (curl sets Origin, the request header and Fetch Metadata) are not
// enough; the caller must be signed in through the token handler. A
// cookie that does not open is refused too, and nothing reaches the API.
func TestM2MRequiresASignedInUser(t *testing.T) {
	h, idp, o := confidentialSite(t)
	for name, cookie := range map[string]string{"no session": "", "forged cookie": "AAAA" + strings.Repeat("B", 60)} {
		r := sameOrigin(httptest.NewRequest("POST", "/api/m2m", nil))
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: tokenhandler.CookieName, Value: cookie})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "login_required") {
			t.Fatalf("%s: %d %s", name, w.Code, w.Body.String())
		}
	}
	if n := idp.RecordCalls(); n != 0 {
		t.Fatalf("%d API calls without a signed-in user", n)
	}
	// Signed in through the handler: the route calls the API.
	cookie := signIn(t, h, o)
	r := sameOrigin(httptest.NewRequest("POST", "/api/m2m", nil))
	r.AddCookie(cookie)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"status":201`) {
		t.Fatalf("signed in: %d %s", w.Code, w.Body.String())
	}
	// An app without a token handler cannot mount the route.
	o.TokenHandler = nil
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "token handler") {
		t.Fatalf("M2M without the token handler: %v", err)
	}
}

// signIn logs in at the development provider and exchanges the code
// through the site's token handler, returning its session cookie.
func signIn(t *testing.T, h http.Handler, o Options) *http.Cookie {
	t.Helper()
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	sum := sha256.Sum256([]byte(verifier))
	redirect := "https://demo.example/callback"
	form := url.Values{
		"response_type": {"code"}, "client_id": {o.Provider.ClientID}, "redirect_uri": {redirect}, "state": {"st"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"scope": {"email"}, "username": {"alice"}, "action": {"login"},
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.PostForm(o.Provider.AuthorizationEndpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("login: %d %s", resp.StatusCode, loc)
	}
	in := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	r := sameOrigin(httptest.NewRequest("POST", "/oauth/token", strings.NewReader(in.Encode())))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.Value != "" {
			return c
		}
	}
	t.Fatalf("exchange: %d %s", w.Code, w.Body.String())
	return nil
}
