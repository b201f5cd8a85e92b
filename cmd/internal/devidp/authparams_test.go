package devidp

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// idClaims exchanges code and returns the ID token's and the access
// token's claims, unverified (the signature is tested elsewhere), and the
// access token.
func (f *fixture) idClaims(t *testing.T, code string) (id, at jwt.MapClaims, access string) {
	t.Helper()
	r := f.token(t, exchangeForm(code, verifier))
	if r.status != 200 {
		t.Fatalf("exchange: %d %v", r.status, r.body)
	}
	id, at = jwt.MapClaims{}, jwt.MapClaims{}
	p := jwt.NewParser()
	if _, _, err := p.ParseUnverified(r.body["id_token"].(string), id); err != nil {
		t.Fatal(err)
	}
	access = r.body["access_token"].(string)
	if _, _, err := p.ParseUnverified(access, at); err != nil {
		t.Fatal(err)
	}
	return id, at, access
}

func redirectError(t *testing.T, resp *http.Response) string {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || err != nil {
		t.Fatalf("want a redirect, got %d", resp.StatusCode)
	}
	return loc.Query().Get("error")
}

func TestPromptNoneNeedsAProviderSession(t *testing.T) {
	f := newFixture(t, Cognito)
	jar, _ := cookiejar.New(nil)
	f.hc.Jar = jar
	q := authQuery()
	q.Set("prompt", "none")
	if got := redirectError(t, f.authorize(t, q)); got != "login_required" {
		t.Fatalf("prompt=none without a session: error %q, want login_required", got)
	}
	f.code(t, authQuery(), "ann")
	resp := f.authorize(t, q)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Query().Get("code") == "" {
		t.Fatalf("prompt=none with a session: %d %s", resp.StatusCode, loc)
	}
	id, _, _ := f.idClaims(t, loc.Query().Get("code"))
	if id["sub"] != userFor("ann", time.Time{}).Sub {
		t.Errorf("silent sign-in sub %v", id["sub"])
	}
	f.advance(2 * time.Minute)
	q.Set("max_age", "60")
	if got := redirectError(t, f.authorize(t, q)); got != "login_required" {
		t.Fatalf("prompt=none, session older than max_age: error %q, want login_required", got)
	}
	q.Set("max_age", "-1")
	if got := redirectError(t, f.authorize(t, q)); got != "invalid_request" {
		t.Fatalf("max_age=-1: error %q", got)
	}
	q.Set("prompt", "none login")
	q.Del("max_age")
	if got := redirectError(t, f.authorize(t, q)); got != "invalid_request" {
		t.Fatalf("prompt=none login: error %q", got)
	}
	if n := len(f.s.AuthorizeRequests()); n != 5 {
		t.Errorf("%d authorize requests recorded, want 5", n)
	}
	// Logout ends the provider session.
	resp, err := f.hc.Get(f.srv.URL + "/logout?client_id=spa&logout_uri=" + url.QueryEscape("http://127.0.0.1:8080/"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q.Set("prompt", "none")
	if got := redirectError(t, f.authorize(t, q)); got != "login_required" {
		t.Fatalf("prompt=none after logout: error %q, want login_required", got)
	}
}

func TestFormPrefillAndPromptLogin(t *testing.T) {
	f := newFixture(t, Cognito)
	q := authQuery()
	q.Set("login_hint", "ann@example.com")
	q.Set("acr_values", StrongACR+" urn:other")
	q.Set("prompt", "login")
	resp, err := f.hc.Get(f.srv.URL + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`name="username" value="ann@example.com"`, `name="acr" value="` + StrongACR + `"`, `name="prompt" value="login"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the form lacks %s", want)
		}
	}
}

func TestACRAndAuthTimeInTokens(t *testing.T) {
	f := newFixture(t, Cognito)
	q := authQuery()
	q.Set("acr", StrongACR) // the form's field
	id, at, _ := f.idClaims(t, f.code(t, q, "ann"))
	if id["acr"] != StrongACR || at["acr"] != StrongACR {
		t.Errorf("acr: ID token %v, access token %v", id["acr"], at["acr"])
	}
	if got := int64(id["auth_time"].(float64)); got != f.clock().Unix() {
		t.Errorf("auth_time %d, want %d", got, f.clock().Unix())
	}
	f.s.ForgeAuthTime(time.Hour)
	id, _, _ = f.idClaims(t, f.code(t, authQuery(), "ann"))
	if _, ok := id["acr"]; ok {
		t.Errorf("acr %v without one reached", id["acr"])
	}
	if got := int64(id["auth_time"].(float64)); got != f.clock().Add(-time.Hour).Unix() {
		t.Errorf("forged auth_time %d, want an hour back", got)
	}
}

func getAPI(t *testing.T, f *fixture, path, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := f.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestStrongAPIDemandsACR(t *testing.T) {
	f := newFixture(t, Cognito)
	_, _, weak := f.idClaims(t, f.code(t, authQuery(), "ann"))
	resp, _ := getAPI(t, f, "/api/strong", weak)
	want := `error="insufficient_user_authentication"`
	if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || !strings.Contains(ch, want) || !strings.Contains(ch, `acr_values="`+StrongACR+`"`) {
		t.Fatalf("weak token: %d %q", resp.StatusCode, ch)
	}
	q := authQuery()
	q.Set("acr", StrongACR)
	_, _, strong := f.idClaims(t, f.code(t, q, "ann"))
	if resp, body := getAPI(t, f, "/api/strong", strong); resp.StatusCode != 200 {
		t.Fatalf("strong token: %d %s", resp.StatusCode, body)
	}
}

func TestUserInfo(t *testing.T) {
	f := newFixture(t, Cognito)
	id, _, at := f.idClaims(t, f.code(t, authQuery(), "ann"))
	resp, body := getAPI(t, f, "/oauth2/userInfo", at)
	if resp.StatusCode != 200 || !strings.Contains(body, `"sub":"`+id["sub"].(string)+`"`) || !strings.Contains(body, `"email":"ann@example.com"`) {
		t.Fatalf("userinfo: %d %s", resp.StatusCode, body)
	}
	f.s.SetUserInfoSub("someone-else")
	if _, body := getAPI(t, f, "/oauth2/userInfo", at); !strings.Contains(body, `"sub":"someone-else"`) {
		t.Fatalf("mismatching userinfo: %s", body)
	}
	if resp, _ := getAPI(t, f, "/oauth2/userInfo", "not-a-token"); resp.StatusCode != 401 {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
}

func TestPageCOOP(t *testing.T) {
	f := newFixture(t, Cognito)
	if got := f.authorize(t, authQuery()).Header.Get("Cross-Origin-Opener-Policy"); got != "" {
		t.Fatalf("COOP %q by default", got)
	}
	f.s.SetPageCOOP(true)
	if got := f.authorize(t, authQuery()).Header.Get("Cross-Origin-Opener-Policy"); got != "same-origin" {
		t.Fatalf("COOP %q, want same-origin", got)
	}
}
