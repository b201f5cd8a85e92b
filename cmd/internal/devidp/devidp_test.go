package devidp

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const redirect = "http://127.0.0.1:8080/callback"

type fixture struct {
	s     *Server
	srv   *httptest.Server
	mu    sync.Mutex
	now   time.Time
	hc    *http.Client
	codes int
}

func newFixture(t *testing.T, mode RefreshMode) *fixture {
	t.Helper()
	f := &fixture{now: time.Now()}
	f.srv = httptest.NewUnstartedServer(nil)
	issuer := "http://" + f.srv.Listener.Addr().String()
	s, err := New(issuer, Options{
		RefreshMode: mode,
		Clients:     []Client{{ID: "spa", RedirectURIs: []string{redirect}, LogoutURIs: []string{"http://127.0.0.1:8080/"}}},
		Now:         f.clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	f.srv.Config.Handler = s.Handler()
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	f.hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func authQuery() url.Values {
	return url.Values{
		"response_type": {"code"}, "client_id": {"spa"}, "redirect_uri": {redirect}, "state": {"st"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}, "scope": {"openid email"}, "nonce": {"n-1"},
	}
}

// authorize sends GET /oauth2/authorize and returns the response.
func (f *fixture) authorize(t *testing.T, q url.Values) *http.Response {
	t.Helper()
	resp, err := f.hc.Get(f.srv.URL + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// code signs in as user and returns the code from the redirect.
func (f *fixture) code(t *testing.T, q url.Values, user string) string {
	t.Helper()
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("username", user)
	form.Set("action", "login")
	resp, err := f.hc.PostForm(f.srv.URL+"/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Query().Get("code") == "" || loc.Query().Get("state") != q.Get("state") || loc.Query().Get("iss") != f.s.Issuer() {
		t.Fatalf("login redirect: %d %s", resp.StatusCode, loc)
	}
	return loc.Query().Get("code")
}

type tokenResp struct {
	status int
	header http.Header
	body   map[string]any
}

func (f *fixture) token(t *testing.T, form url.Values, header ...string) tokenResp {
	t.Helper()
	return f.postForm(t, "/oauth2/token", form, header...)
}

// postForm posts form to path with optional header pairs.
func (f *fixture) postForm(t *testing.T, path string, form url.Values, header ...string) tokenResp {
	t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return tokenResp{resp.StatusCode, resp.Header, body}
}

func exchangeForm(code, v string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {v}}
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {rt}}
}

func wantTokenError(t *testing.T, r tokenResp, status int, code string) {
	t.Helper()
	if r.status != status || r.body["error"] != code || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("got %d %v (%s), want %d %s", r.status, r.body, r.header.Get("Content-Type"), status, code)
	}
}

func TestAuthorizeValidation(t *testing.T) {
	f := newFixture(t, Cognito)
	for _, tc := range []struct {
		name   string
		mutate func(q url.Values)
		status int
		err    string // redirect error, "" for a plain-text 400 or the login page
	}{
		{"valid shows login page", func(url.Values) {}, 200, ""},
		{"unknown client", func(q url.Values) { q.Set("client_id", "nope") }, 400, ""},
		{"redirect mismatch", func(q url.Values) { q.Set("redirect_uri", redirect+"/") }, 400, ""},
		{"redirect prefix", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:8080/callback?x=1") }, 400, ""},
		{"missing challenge", func(q url.Values) { q.Del("code_challenge") }, 302, "invalid_request"},
		{"plain method", func(q url.Values) { q.Set("code_challenge_method", "plain") }, 302, "invalid_request"},
		{"missing method", func(q url.Values) { q.Del("code_challenge_method") }, 302, "invalid_request"},
		{"malformed challenge", func(q url.Values) { q.Set("code_challenge", "short") }, 302, "invalid_request"},
		{"missing response_type", func(q url.Values) { q.Del("response_type") }, 302, "invalid_request"},
		{"implicit", func(q url.Values) { q.Set("response_type", "token") }, 302, "unauthorized_client"},
		{"unknown scope", func(q url.Values) { q.Set("scope", "openid admin") }, 302, "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := authQuery()
			tc.mutate(q)
			resp := f.authorize(t, q)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 302 {
				loc, _ := url.Parse(resp.Header.Get("Location"))
				if !strings.HasPrefix(loc.String(), redirect+"?") || loc.Query().Get("error") != tc.err || loc.Query().Get("state") != "st" {
					t.Fatalf("redirect %s, want error=%s with state", loc, tc.err)
				}
			}
			if tc.status == 400 && resp.Header.Get("Location") != "" {
				t.Fatal("an unverified redirect URI was redirected to")
			}
			if tc.status == 200 && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "form-action 'self' http://127.0.0.1:8080") {
				t.Fatalf("login page CSP %q", resp.Header.Get("Content-Security-Policy"))
			}
		})
	}
}

func TestCancelIsAccessDenied(t *testing.T) {
	f := newFixture(t, Cognito)
	form := authQuery()
	form.Set("action", "cancel")
	resp, err := f.hc.PostForm(f.srv.URL+"/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st" {
		t.Fatalf("cancel redirect: %s", loc)
	}
}

func TestCodeExchange(t *testing.T) {
	f := newFixture(t, Cognito)
	code := f.code(t, authQuery(), "Ada Lovelace")
	r := f.token(t, exchangeForm(code, verifier))
	if r.status != 200 || r.body["token_type"] != "Bearer" || r.body["refresh_token"] == nil || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("exchange: %d %v", r.status, r.body)
	}
	// The ID token: signed with the JWKS key, SmartTask-style claims.
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(r.body["id_token"].(string), claims, f.jwksKey(t),
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(f.s.Issuer()), jwt.WithAudience("spa"), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("ID token does not verify against the JWKS: %v", err)
	}
	if claims["nonce"] != "n-1" || claims["email"] != "ada.lovelace@example.com" || claims["full_name"] != "Ada Lovelace" {
		t.Fatalf("claims %v", claims)
	}
	if id, ok := claims["user_id"].(string); !ok || len(id) != 10 || strings.Trim(id, "0123456789") != "" {
		t.Fatalf("user_id %#v, want a string of digits", claims["user_id"])
	}
	if _, present := claims["avatar_url"]; !present {
		t.Fatal("avatar_url missing (it is null for some users, never absent)")
	}
	if a, _ := claims["avatar_url"].(string); !strings.HasPrefix(a, "https://") {
		t.Fatalf("avatar_url for an even-length name = %v, want a URL", claims["avatar_url"])
	}
	if a := userFor("bob", time.Now()).avatar(); a != nil {
		t.Fatalf("avatar_url for an odd-length name = %v, want null", a)
	}
	if _, err := f.s.Verify(r.body["access_token"].(string)); err != nil {
		t.Fatalf("access token: %v", err)
	}
	if n := f.s.TokenRequests("authorization_code"); n != 1 {
		t.Fatalf("count %d", n)
	}
}

func (f *fixture) jwksKey(t *testing.T) jwt.Keyfunc {
	resp, err := http.Get(f.srv.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct{ Keys []map[string]string }
	json.NewDecoder(resp.Body).Decode(&set)
	if len(set.Keys) != 1 {
		t.Fatalf("jwks %v", set)
	}
	n, _ := base64.RawURLEncoding.DecodeString(set.Keys[0]["n"])
	e, _ := base64.RawURLEncoding.DecodeString(set.Keys[0]["e"])
	key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	return func(tok *jwt.Token) (any, error) {
		if tok.Header["kid"] != set.Keys[0]["kid"] {
			t.Errorf("kid %v not in JWKS", tok.Header["kid"])
		}
		return key, nil
	}
}

func TestExchangeRefusals(t *testing.T) {
	f := newFixture(t, Cognito)
	t.Run("wrong verifier", func(t *testing.T) {
		code := f.code(t, authQuery(), "u")
		wantTokenError(t, f.token(t, exchangeForm(code, strings.Repeat("a", 43))), 400, "invalid_grant")
	})
	t.Run("missing verifier", func(t *testing.T) {
		code := f.code(t, authQuery(), "u")
		wantTokenError(t, f.token(t, exchangeForm(code, "")), 400, "invalid_request")
	})
	t.Run("redirect mismatch", func(t *testing.T) {
		code := f.code(t, authQuery(), "u")
		form := exchangeForm(code, verifier)
		form.Set("redirect_uri", "http://127.0.0.1:8080/other")
		wantTokenError(t, f.token(t, form), 400, "invalid_grant")
	})
	t.Run("unknown client", func(t *testing.T) {
		code := f.code(t, authQuery(), "u")
		form := exchangeForm(code, verifier)
		form.Set("client_id", "other")
		r := f.token(t, form)
		wantTokenError(t, r, 401, "invalid_client")
		if r.header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
	})
	t.Run("client secret sent", func(t *testing.T) {
		code := f.code(t, authQuery(), "u")
		wantTokenError(t, f.token(t, exchangeForm(code, verifier), "Authorization", "Basic c3BhOnNlY3JldA=="), 401, "invalid_client")
	})
	t.Run("expired code", func(t *testing.T) {
		code := f.code(t, authQuery(), "u")
		f.advance(5*time.Minute + time.Second)
		wantTokenError(t, f.token(t, exchangeForm(code, verifier)), 400, "invalid_grant")
	})
	t.Run("reused code revokes the grant", func(t *testing.T) {
		code := f.code(t, authQuery(), "u")
		first := f.token(t, exchangeForm(code, verifier))
		if first.status != 200 {
			t.Fatal(first.body)
		}
		wantTokenError(t, f.token(t, exchangeForm(code, verifier)), 400, "invalid_grant")
		wantTokenError(t, f.token(t, refreshForm(first.body["refresh_token"].(string))), 400, "invalid_grant")
	})
	t.Run("unsupported grant", func(t *testing.T) {
		wantTokenError(t, f.token(t, url.Values{"grant_type": {"password"}, "client_id": {"spa"}}), 400, "unsupported_grant_type")
	})
	t.Run("not a form", func(t *testing.T) {
		req, _ := http.NewRequest("POST", f.srv.URL+"/oauth2/token", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		resp, _ := f.hc.Do(req)
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("JSON body: %d", resp.StatusCode)
		}
	})
	t.Run("GET", func(t *testing.T) {
		resp, _ := f.hc.Get(f.srv.URL + "/oauth2/token")
		resp.Body.Close()
		if resp.StatusCode != 405 {
			t.Fatalf("GET: %d", resp.StatusCode)
		}
	})
}

func TestRefreshModes(t *testing.T) {
	t.Run("cognito", func(t *testing.T) {
		f := newFixture(t, Cognito)
		rt := f.token(t, exchangeForm(f.code(t, authQuery(), "u"), verifier)).body["refresh_token"].(string)
		for i := 0; i < 3; i++ {
			r := f.token(t, refreshForm(rt))
			if r.status != 200 || r.body["refresh_token"] != nil || r.body["access_token"] == nil {
				t.Fatalf("refresh %d: %d %v", i, r.status, r.body)
			}
		}
	})
	t.Run("rotating with reuse detection", func(t *testing.T) {
		f := newFixture(t, Rotating)
		rt1 := f.token(t, exchangeForm(f.code(t, authQuery(), "u"), verifier)).body["refresh_token"].(string)
		r := f.token(t, refreshForm(rt1))
		rt2, _ := r.body["refresh_token"].(string)
		if r.status != 200 || rt2 == "" || rt2 == rt1 {
			t.Fatalf("rotation: %v", r.body)
		}
		at := r.body["access_token"].(string)
		// rt1 comes back: the whole grant is revoked, rt2 included.
		wantTokenError(t, f.token(t, refreshForm(rt1)), 400, "invalid_grant")
		wantTokenError(t, f.token(t, refreshForm(rt2)), 400, "invalid_grant")
		if f.s.RefreshTokenValid(rt2) {
			t.Fatal("rt2 still valid after reuse")
		}
		if _, err := f.s.Verify(at); err == nil {
			t.Fatal("an access token of a revoked grant still passes the API")
		}
	})
}

func TestFaults(t *testing.T) {
	f := newFixture(t, Cognito)
	for _, tc := range []struct {
		kind   FaultKind
		status int
		ctype  string
	}{
		{FaultHTML500, 500, "text/html"},
		{FaultHTML200, 200, "text/html"},
		{FaultTruncatedJSON, 200, "application/json"},
		{FaultInvalidGrant, 400, "application/json;charset=UTF-8"},
		{FaultStatus503, 503, ""},
	} {
		f.s.InjectFaults(Fault{Kind: tc.kind})
		r := f.token(t, refreshForm("x"))
		if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), tc.ctype) {
			t.Errorf("fault %d: %d %q", tc.kind, r.status, r.header.Get("Content-Type"))
		}
	}
	f.s.InjectFaults(Fault{Kind: FaultLowercaseBearer})
	r := f.token(t, exchangeForm(f.code(t, authQuery(), "u"), verifier))
	if r.body["token_type"] != "bearer" {
		t.Errorf("lowercase fault: %v", r.body["token_type"])
	}
	f.s.InjectFaults(Fault{Kind: FaultDropConnection})
	req, _ := http.NewRequest("POST", f.srv.URL+"/oauth2/token", strings.NewReader(refreshForm("x").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req); err == nil {
		t.Error("dropped connection gave a response")
	}
	if n := f.s.TokenRequests("refresh_token"); n != 6 {
		t.Errorf("%d refresh requests counted, want 6", n)
	}
	if n := f.s.TokenSuccesses("authorization_code"); n != 1 {
		t.Errorf("%d successes", n)
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t, Cognito)
	for origin, allowed := range map[string]bool{"http://127.0.0.1:8080": true, "https://evil.example": false} {
		req, _ := http.NewRequest("OPTIONS", f.srv.URL+"/api/me", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		resp, err := f.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin") == origin; got != allowed {
			t.Errorf("origin %s allowed=%v, want %v", origin, got, allowed)
		}
	}
}

func TestAPI(t *testing.T) {
	f := newFixture(t, Cognito)
	at := f.token(t, exchangeForm(f.code(t, authQuery(), "bob"), verifier)).body["access_token"].(string)
	call := func(auth string) int {
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/me", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := f.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := call("Bearer " + at); s != 200 {
		t.Fatalf("valid token: %d", s)
	}
	if s := call("bearer " + at); s != 200 {
		t.Fatalf("lowercase scheme: %d", s)
	}
	for name, auth := range map[string]string{
		"none": "", "basic": "Basic eDp5", "tampered": "Bearer " + at[:len(at)-4] + "AAAA",
		"alg none": "Bearer " + noneToken(f.s.Issuer()),
	} {
		if s := call(auth); s != 401 {
			t.Errorf("%s: %d, want 401", name, s)
		}
	}
	f.advance(2 * time.Hour)
	if s := call("Bearer " + at); s != 401 {
		t.Fatalf("expired token: %d", s)
	}
	if n := f.s.APICalls(); n != 2 {
		t.Fatalf("%d API calls counted", n)
	}
}

func noneToken(iss string) string {
	s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": iss, "exp": time.Now().Add(time.Hour).Unix(), "token_use": "access", "username": "x"}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	return s
}

func TestLogoutAndDiscovery(t *testing.T) {
	f := newFixture(t, Cognito)
	resp, _ := f.hc.Get(f.srv.URL + "/logout?client_id=spa&logout_uri=" + url.QueryEscape("http://127.0.0.1:8080/"))
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "http://127.0.0.1:8080/" {
		t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = f.hc.Get(f.srv.URL + "/logout?client_id=spa&logout_uri=" + url.QueryEscape("https://evil.example/"))
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("unregistered logout_uri: %d", resp.StatusCode)
	}
	if len(f.s.LogoutVisits()) != 2 {
		t.Fatal("visits not recorded")
	}
	resp, _ = f.hc.Get(f.srv.URL + "/.well-known/openid-configuration")
	var d map[string]any
	json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if d["issuer"] != f.s.Issuer() || d["authorization_response_iss_parameter_supported"] != true {
		t.Fatalf("discovery %v", d)
	}
	if m, _ := d["code_challenge_methods_supported"].([]any); len(m) != 1 || m[0] != "S256" {
		t.Fatalf("challenge methods %v", d["code_challenge_methods_supported"])
	}
}
