package tokenhandler

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

const (
	appOrigin  = "https://app.example.com"
	clientID   = "conf client"
	secret     = "s3cr3t:with%odd&chars"
	verifier   = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	theCode    = "the-authorization-code"
	firstRT    = "refresh-token-1"
	redirectTo = appOrigin + "/callback"
)

var testKey = bytes.Repeat([]byte{7}, 32)

// seen is one request the fake provider received.
type seen struct {
	path   string
	header http.Header
	form   url.Values
}

// provider is a fake token and revocation endpoint.
type provider struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []seen
	// answer writes the response; default: a token response.
	answer func(w http.ResponseWriter, s seen)
}

func newProvider(t *testing.T) *provider {
	p := &provider{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		s := seen{r.URL.Path, r.Header.Clone(), form}
		p.mu.Lock()
		p.got = append(p.got, s)
		answer := p.answer
		p.mu.Unlock()
		if answer != nil {
			answer(w, s)
			return
		}
		if r.URL.Path == "/revoke" {
			w.WriteHeader(200)
			return
		}
		resp := map[string]any{"access_token": "at-" + form.Get("grant_type"), "token_type": "bearer", "expires_in": 3600,
			"id_token": "idt", "scope": "openid api/read", "profile_info": map[string]any{"x": 1}}
		if form.Get("grant_type") == "authorization_code" {
			resp["refresh_token"] = firstRT
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) requests() []seen {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]seen(nil), p.got...)
}

func (p *provider) setAnswer(f func(w http.ResponseWriter, s seen)) {
	p.mu.Lock()
	p.answer = f
	p.mu.Unlock()
}

// fixture is a handler in front of a fake provider, with a clock and a
// captured log that must never contain a secret.
type fixture struct {
	t    *testing.T
	p    *provider
	h    *Handler
	logs *syncBuffer
	mu   sync.Mutex
	now  time.Time
	// secrets must never appear in a log line or an error message.
	secrets []string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFixture(t *testing.T, edit func(*Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, p: newProvider(t), logs: &syncBuffer{}, now: time.Unix(1_800_000_000, 0)}
	cfg := Config{
		TokenEndpoint: f.p.srv.URL + "/token", RevocationEndpoint: f.p.srv.URL + "/revoke",
		ClientID: clientID, ClientSecret: secret, Origin: appOrigin, CookieKey: testKey,
		Logger: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    f.clock, Timeout: 2 * time.Second,
	}
	if edit != nil {
		edit(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	f.secrets = []string{secret, theCode, verifier, firstRT, url.QueryEscape(secret), base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(secret)))}
	t.Cleanup(f.checkLogs)
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

func (f *fixture) checkLogs() {
	logs := f.logs.String()
	if strings.Count(logs, "\n") == 0 {
		f.t.Error("nothing was logged")
	}
	for _, s := range f.secrets {
		if s != "" && strings.Contains(logs, s) {
			f.t.Errorf("a secret value (%d bytes) is in the log:\n%s", len(s), logs)
		}
	}
}

// result is a handler response.
type result struct {
	status int
	header http.Header
	body   map[string]any
	cookie *http.Cookie // the Set-Cookie of the refresh-token cookie, if any
}

func (r result) code() string { s, _ := r.body["error"].(string); return s }

// do sends a same-origin request; edit may change it.
func (f *fixture) do(path string, form url.Values, cookie string, edit func(*http.Request)) result {
	f.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", appOrigin)
	req.Header.Set(RequestHeader, "1")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: f.h.CookieName(), Value: cookie})
	}
	if edit != nil {
		edit(req)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := result{status: rec.Code, header: rec.Header()}
	json.Unmarshal(rec.Body.Bytes(), &res.body)
	for _, c := range rec.Result().Cookies() {
		if c.Name == f.h.CookieName() {
			if res.cookie != nil {
				f.t.Fatal("two Set-Cookie for the refresh-token cookie")
			}
			res.cookie = c
		}
	}
	if res.cookie != nil && res.cookie.Value != "" {
		f.secrets = append(f.secrets, res.cookie.Value)
	}
	for _, s := range f.secrets {
		// Also as JSON writes it: & < > are escaped (the test secret has &).
		q, _ := json.Marshal(s)
		if strings.Contains(rec.Body.String(), s) || strings.Contains(rec.Body.String(), string(q[1:len(q)-1])) {
			f.t.Fatalf("a secret value is in the response body: %s", rec.Body.String())
		}
	}
	return res
}

func exchangeForm() url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {theCode},
		"redirect_uri": {redirectTo}, "code_verifier": {verifier}}
}

func refreshForm() url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}}
}

// login exchanges the code and returns the cookie value.
func (f *fixture) login() string {
	f.t.Helper()
	in := exchangeForm()
	in.Set("client_id", f.h.cfg.ClientID)
	in.Set("redirect_uri", f.h.cfg.Origin+"/callback")
	r := f.do("/oauth/token", in, "", func(r *http.Request) { r.Header.Set("Origin", f.h.cfg.Origin) })
	if r.status != 200 || r.cookie == nil || r.cookie.Value == "" {
		f.t.Fatalf("exchange: %d %v", r.status, r.body)
	}
	return r.cookie.Value
}

func basicHeader(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func TestExchangeRequestPerAuthStyle(t *testing.T) {
	for _, tc := range []struct {
		style    AuthStyle
		wantAuth string
		wantForm url.Values
	}{
		{ClientSecretBasic, basicHeader(clientID, secret), url.Values{
			"grant_type": {"authorization_code"}, "code": {theCode}, "redirect_uri": {redirectTo}, "code_verifier": {verifier}}},
		{ClientSecretPost, "", url.Values{
			"grant_type": {"authorization_code"}, "code": {theCode}, "redirect_uri": {redirectTo}, "code_verifier": {verifier},
			"client_id": {clientID}, "client_secret": {secret}}},
	} {
		t.Run(string(tc.style), func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.AuthStyle = tc.style })
			in := exchangeForm()
			in.Set("unknown_param", "dropped")
			r := f.do("/oauth/token", in, "", nil)
			if r.status != 200 {
				t.Fatalf("exchange: %d %v", r.status, r.body)
			}
			got := f.p.requests()
			if len(got) != 1 || got[0].path != "/token" {
				t.Fatalf("provider saw %v", got)
			}
			s := got[0]
			if a := s.header.Get("Authorization"); a != tc.wantAuth {
				t.Errorf("Authorization %q, want %q", a, tc.wantAuth)
			}
			if ct := s.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type %q", ct)
			}
			if a := s.header.Get("Accept"); a != "application/json" {
				t.Errorf("Accept %q", a)
			}
			for _, h := range []string{"Cookie", "Origin", RequestHeader} {
				if s.header.Get(h) != "" {
					t.Errorf("browser header %s forwarded", h)
				}
			}
			if s.form.Encode() != tc.wantForm.Encode() {
				t.Errorf("form\n got %s\nwant %s", s.form.Encode(), tc.wantForm.Encode())
			}
		})
	}
}

func TestExchangeResponseAndCookie(t *testing.T) {
	for _, tc := range []struct {
		origin, name string
		secure       bool
	}{
		{appOrigin, "__Host-gopkce-rt", true},
		{"http://127.0.0.1:8080", "gopkce-rt", false},
		{"http://localhost:8080", "gopkce-rt", false},
	} {
		t.Run(tc.origin, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Origin = tc.origin; c.RefreshTokenLifetime = 24 * time.Hour })
			in := exchangeForm()
			in.Set("redirect_uri", tc.origin+"/callback")
			r := f.do("/oauth/token", in, "", func(r *http.Request) { r.Header.Set("Origin", tc.origin) })
			if r.status != 200 {
				t.Fatalf("%d %v", r.status, r.body)
			}
			// The provider's members pass through, without the refresh token.
			if _, has := r.body["refresh_token"]; has {
				t.Fatal("refresh_token reached the browser")
			}
			if r.body["access_token"] != "at-authorization_code" || r.body["token_type"] != "bearer" || r.body["expires_in"] != 3600.0 ||
				r.body["id_token"] != "idt" || r.body["scope"] != "openid api/read" || r.body["refresh_token_held"] != true {
				t.Fatalf("body %v", r.body)
			}
			if pi, _ := r.body["profile_info"].(map[string]any); pi["x"] != 1.0 {
				t.Fatalf("unknown member not passed through: %v", r.body)
			}
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control %q", cc)
			}
			c := r.cookie
			if c.Name != tc.name || c.Path != "/" || c.Domain != "" || !c.HttpOnly || c.Secure != tc.secure ||
				c.SameSite != http.SameSiteStrictMode || c.MaxAge != 24*3600 {
				t.Fatalf("cookie %+v", c)
			}
			if strings.Contains(c.Value, firstRT) || strings.Contains(c.Value, base64.RawURLEncoding.EncodeToString([]byte(firstRT))) {
				t.Fatal("the cookie holds the refresh token in clear")
			}
			if f.h.CookieName() != tc.name {
				t.Fatal(f.h.CookieName())
			}
		})
	}
}

func TestExchangeWithoutRefreshTokenClearsCookie(t *testing.T) {
	f := newFixture(t, nil)
	old := f.login()
	f.p.setAnswer(func(w http.ResponseWriter, s seen) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"a","token_type":"Bearer","refresh_token":null}`)
	})
	r := f.do("/oauth/token", exchangeForm(), old, nil)
	if r.status != 200 || r.body["refresh_token_held"] != false || r.cookie == nil || r.cookie.MaxAge >= 0 {
		t.Fatalf("%d %v %+v", r.status, r.body, r.cookie)
	}
}

func TestRefreshRotationAndNonRotation(t *testing.T) {
	f := newFixture(t, nil)
	cookie := f.login()
	// Cognito: no new refresh token, the cookie is kept as it is.
	r := f.do("/oauth/token", refreshForm(), cookie, nil)
	if r.status != 200 || r.cookie != nil || r.body["access_token"] != "at-refresh_token" || r.body["refresh_token_held"] != true {
		t.Fatalf("non-rotating refresh: %d %v %+v", r.status, r.body, r.cookie)
	}
	last := f.p.requests()[1]
	want := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {firstRT}}
	if last.form.Encode() != want.Encode() || last.header.Get("Authorization") != basicHeader(clientID, secret) {
		t.Fatalf("refresh request %v %v", last.form, last.header)
	}
	// Rotating: the new refresh token replaces the cookie, and is sent next.
	f.p.setAnswer(func(w http.ResponseWriter, s seen) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at-rot", "token_type": "Bearer", "expires_in": 60, "refresh_token": "rt-2:" + s.form.Get("refresh_token")})
	})
	f.secrets = append(f.secrets, "rt-2:"+firstRT)
	f.advance(time.Hour)
	r = f.do("/oauth/token", refreshForm(), cookie, nil)
	if r.status != 200 || r.cookie == nil || r.cookie.Value == cookie || r.body["refresh_token_held"] != true {
		t.Fatalf("rotating refresh: %d %v %+v", r.status, r.body, r.cookie)
	}
	// The lifetime is not sliding: the rotated cookie expires with the first.
	if r.cookie.MaxAge != int((DefaultRefreshTokenLifetime - time.Hour).Seconds()) {
		t.Fatalf("rotated cookie Max-Age %d", r.cookie.MaxAge)
	}
	f.do("/oauth/token", refreshForm(), r.cookie.Value, nil)
	if got := f.p.requests(); got[len(got)-1].form.Get("refresh_token") != "rt-2:"+firstRT {
		t.Fatalf("the rotated refresh token was not used: %v", got[len(got)-1].form)
	}
}

func TestCookieRefusals(t *testing.T) {
	f := newFixture(t, nil)
	cookie := f.login()
	raw, _ := base64.RawURLEncoding.DecodeString(cookie)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	// Sealed by a deployment like this one but for another client, origin,
	// provider or with another key; and one of this handler, 1 h lifetime.
	sealFor := func(edit func(*Config), lifetime time.Duration) string {
		cfg := f.h.cfg
		cfg.CookieKey = testKey
		edit(&cfg)
		h, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		now := f.clock()
		v, err := h.box.seal(sealedCookie{V: 1, RefreshToken: firstRT, LoginAt: now.Unix(), Expires: now.Add(lifetime).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	day := 24 * time.Hour
	otherClient := sealFor(func(c *Config) { c.ClientID = "other" }, day)
	otherOrigin := sealFor(func(c *Config) { c.Origin = "https://evil.example" }, day)
	otherProvider := sealFor(func(c *Config) { c.TokenEndpoint = "https://idp.example/token" }, day)
	otherKey := sealFor(func(c *Config) { c.CookieKey = bytes.Repeat([]byte{8}, 32) }, day)
	expired := sealFor(func(c *Config) {}, time.Hour)
	if r := f.do("/oauth/token", refreshForm(), sealFor(func(c *Config) {}, day), nil); r.status != 200 {
		t.Fatalf("a cookie sealed the same way is refused: %d %v", r.status, r.body)
	}
	for _, tc := range []struct {
		name, cookie, code string
		advance            time.Duration
	}{
		{"missing", "", CodeCookieMissing, 0},
		{"nonce flipped", flip(0), CodeCookieInvalid, 0},
		{"ciphertext flipped", flip(20), CodeCookieInvalid, 0},
		{"tag flipped", flip(len(raw) - 1), CodeCookieInvalid, 0},
		{"truncated", cookie[:len(cookie)-4], CodeCookieInvalid, 0},
		{"not base64", "!!" + cookie, CodeCookieInvalid, 0},
		{"the refresh token itself", firstRT, CodeCookieInvalid, 0},
		{"another client's", otherClient, CodeCookieInvalid, 0},
		{"another origin's", otherOrigin, CodeCookieInvalid, 0},
		{"another key's", otherKey, CodeCookieInvalid, 0},
		{"another provider's", otherProvider, CodeCookieInvalid, 0},
		{"past its lifetime", expired, CodeCookieExpired, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.p.requests())
			f.advance(tc.advance)
			logBefore := len(f.logs.String())
			r := f.do("/oauth/token", refreshForm(), tc.cookie, nil)
			if r.status != 400 || r.code() != "invalid_grant" {
				t.Fatalf("%d %v", r.status, r.body)
			}
			if !strings.Contains(f.logs.String()[logBefore:], "code="+tc.code) {
				t.Fatalf("log does not name %s: %s", tc.code, f.logs.String()[logBefore:])
			}
			if tc.cookie != "" && (r.cookie == nil || r.cookie.MaxAge >= 0) {
				t.Fatal("a refused cookie was not cleared")
			}
			if len(f.p.requests()) != before {
				t.Fatal("the provider was called with a refused cookie")
			}
		})
	}
	// A handler whose key was rotated, with the old one kept as previous,
	// still opens it; without the old key it does not.
	withOld := sealFor(func(c *Config) {}, day)
	for _, keep := range []bool{true, false} {
		cfg := f.h.cfg
		cfg.CookieKey = bytes.Repeat([]byte{9}, 32)
		if keep {
			cfg.PreviousCookieKeys = [][]byte{testKey}
		}
		h, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.box.open(withOld, f.clock())
		if (err == nil) != keep {
			t.Fatalf("previous key kept=%v: %v", keep, err)
		}
	}
	// The genuine cookie still works (within its 30 days).
	if r := f.do("/oauth/token", refreshForm(), cookie, nil); r.status != 200 {
		t.Fatalf("genuine cookie: %d %v", r.status, r.body)
	}
	// And its own lifetime ends it too.
	f.advance(DefaultRefreshTokenLifetime)
	if r := f.do("/oauth/token", refreshForm(), cookie, nil); r.status != 400 || r.code() != "invalid_grant" {
		t.Fatalf("30-day-old cookie: %d %v", r.status, r.body)
	}
}

func TestCSRFRefusals(t *testing.T) {
	f := newFixture(t, nil)
	cookie := f.login()
	for _, tc := range []struct {
		name   string
		edit   func(*http.Request)
		status int
	}{
		{"no custom header", func(r *http.Request) { r.Header.Del(RequestHeader) }, 403},
		{"custom header with another value", func(r *http.Request) { r.Header.Set(RequestHeader, "yes") }, 403},
		{"no Origin", func(r *http.Request) { r.Header.Del("Origin") }, 403},
		{"wrong Origin", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }, 403},
		{"Origin with a trailing slash", func(r *http.Request) { r.Header.Set("Origin", appOrigin+"/") }, 403},
		{"http Origin", func(r *http.Request) { r.Header.Set("Origin", "http://app.example.com") }, 403},
		{"Origin null", func(r *http.Request) { r.Header.Set("Origin", "null") }, 403},
		{"two Origins", func(r *http.Request) { r.Header.Add("Origin", "https://evil.example") }, 403},
		{"same-site, not same-origin", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") }, 403},
		{"cross-site", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, 403},
		{"GET", func(r *http.Request) { r.Method = "GET" }, 405},
		{"OPTIONS preflight", func(r *http.Request) { r.Method = "OPTIONS" }, 405},
		{"PUT", func(r *http.Request) { r.Method = "PUT" }, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.p.requests())
			for _, path := range []string{"/oauth/token", "/oauth/logout"} {
				r := f.do(path, refreshForm(), cookie, tc.edit)
				if r.status != tc.status || r.cookie != nil {
					t.Fatalf("%s: %d %v %+v", path, r.status, r.body, r.cookie)
				}
				if r.header.Get("Access-Control-Allow-Origin") != "" {
					t.Fatal("CORS granted")
				}
				if tc.status == 405 && r.header.Get("Allow") != "POST" {
					t.Fatal("405 without Allow: POST")
				}
			}
			if len(f.p.requests()) != before {
				t.Fatal("the provider was called")
			}
		})
	}
	// Without Fetch Metadata (older browsers), Origin and the header suffice.
	if r := f.do("/oauth/token", refreshForm(), cookie, func(r *http.Request) { r.Header.Del("Sec-Fetch-Site") }); r.status != 200 {
		t.Fatalf("no Sec-Fetch-Site: %d %v", r.status, r.body)
	}
}

func TestRequestRefusals(t *testing.T) {
	f := newFixture(t, nil)
	cookie := f.login()
	with := func(base url.Values, kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		path   string
		form   url.Values
		edit   func(*http.Request)
		status int
		code   string
	}{
		{"client_secret from the browser", "/oauth/token", with(exchangeForm(), "client_secret", "x"), nil, 400, CodeInvalidRequest},
		{"client_assertion from the browser", "/oauth/token", with(exchangeForm(), "client_assertion", "x"), nil, 400, CodeInvalidRequest},
		{"refresh_token from the browser", "/oauth/token", with(refreshForm(), "refresh_token", "x"), nil, 400, CodeInvalidRequest},
		{"scope on a refresh", "/oauth/token", with(refreshForm(), "scope", "openid"), nil, 400, CodeInvalidRequest},
		{"client_credentials", "/oauth/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"api/write"}}, nil, 400, CodeUnsupportedGrantType},
		{"password grant", "/oauth/token", url.Values{"grant_type": {"password"}}, nil, 400, CodeUnsupportedGrantType},
		{"no grant_type", "/oauth/token", url.Values{}, nil, 400, CodeInvalidRequest},
		{"another client_id", "/oauth/token", with(exchangeForm(), "client_id", "other"), nil, 400, CodeInvalidRequest},
		{"redirect_uri on another origin", "/oauth/token", with(exchangeForm(), "redirect_uri", "https://evil.example/callback"), nil, 400, CodeInvalidRequest},
		{"no code_verifier", "/oauth/token", with(exchangeForm(), "code_verifier", ""), nil, 400, CodeInvalidRequest},
		{"JSON body", "/oauth/token", exchangeForm(), func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, 415, CodeInvalidRequest},
		{"repeated parameter", "/oauth/token", url.Values{"grant_type": {"refresh_token", "refresh_token"}}, nil, 400, CodeInvalidRequest},
		{"body over the cap", "/oauth/token", with(exchangeForm(), "pad", strings.Repeat("a", MaxRequestBytes)), nil, 413, CodeBodyTooLarge},
		{"unknown path", "/oauth/authorize", exchangeForm(), nil, 404, CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.p.requests())
			r := f.do(tc.path, tc.form, cookie, tc.edit)
			if r.status != tc.status || r.code() != tc.code {
				t.Fatalf("%d %v, want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if len(f.p.requests()) != before {
				t.Fatal("the provider was called")
			}
		})
	}
}

func TestProviderErrorsTyped(t *testing.T) {
	json400 := func(status int, body string, hdr ...string) func(http.ResponseWriter, seen) {
		return func(w http.ResponseWriter, _ seen) {
			for i := 0; i+1 < len(hdr); i += 2 {
				w.Header().Set(hdr[i], hdr[i+1])
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	for _, tc := range []struct {
		name       string
		answer     func(http.ResponseWriter, seen)
		status     int
		code       string
		desc       string
		keepCookie bool
		retryAfter string
	}{
		{"invalid_grant clears the cookie", json400(400, `{"error":"invalid_grant","error_description":"Refresh Token has been revoked"}`), 400, "invalid_grant", "Refresh Token has been revoked", false, ""},
		{"invalid_client 401 becomes 400 without WWW-Authenticate", json400(401, `{"error":"invalid_client"}`, "WWW-Authenticate", `Basic realm="x"`), 400, "invalid_client", "", true, ""},
		{"200 carrying an error", json400(200, `{"error":"invalid_scope"}`), 400, "invalid_scope", "", true, ""},
		{"an error code with markup", json400(400, `{"error":"<script>","error_description":"x"}`), 400, CodeInvalidResponse, "x", true, ""},
		{"500 with HTML keeps the cookie", func(w http.ResponseWriter, _ seen) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			io.WriteString(w, "<h1>boom "+secret+"</h1>")
		}, 502, CodeProviderUnavailable, "", true, ""},
		{"503 with Retry-After", json400(503, ``, "Retry-After", "5"), 503, CodeProviderUnavailable, "", true, "5"},
		{"429", json400(429, ``), 502, CodeProviderUnavailable, "", true, ""},
		{"200 with HTML", func(w http.ResponseWriter, _ seen) { io.WriteString(w, "<html>sign in</html>") }, 502, CodeInvalidResponse, "", true, ""},
		{"200 truncated JSON", json400(200, `{"access_token":"eyJ`), 502, CodeInvalidResponse, "", true, ""},
		{"200 without access_token", json400(200, `{"token_type":"Bearer"}`), 502, CodeInvalidResponse, "", true, ""},
		{"refresh_token not a string", json400(200, `{"access_token":"a","token_type":"Bearer","refresh_token":5}`), 502, CodeInvalidResponse, "", true, ""},
		{"a redirect is not followed", func(w http.ResponseWriter, _ seen) {
			http.Redirect(w, &http.Request{}, "https://evil.example/", http.StatusFound)
		}, 502, CodeInvalidResponse, "", true, ""},
		{"400 without an OAuth error", json400(400, `{"message":"no"}`), 502, CodeInvalidResponse, "", true, ""},
		{"a huge body", json400(200, `{"access_token":"`+strings.Repeat("a", MaxProviderResponseBytes)+`"}`), 502, CodeInvalidResponse, "", true, ""},
		{"a provider that never answers", func(w http.ResponseWriter, s seen) { time.Sleep(600 * time.Millisecond) }, 504, CodeProviderUnavailable, "", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Timeout = 300 * time.Millisecond })
			cookie := f.login()
			f.p.setAnswer(tc.answer)
			r := f.do("/oauth/token", refreshForm(), cookie, nil)
			if r.status != tc.status || r.code() != tc.code {
				t.Fatalf("%d %v, want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if d, _ := r.body["error_description"].(string); tc.desc != "" && d != tc.desc {
				t.Fatalf("description %q", d)
			}
			if r.header.Get("WWW-Authenticate") != "" {
				t.Fatal("WWW-Authenticate reached the browser")
			}
			if got := r.header.Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After %q", got)
			}
			if kept := r.cookie == nil; kept != tc.keepCookie {
				t.Fatalf("cookie kept=%v, want %v (%+v)", kept, tc.keepCookie, r.cookie)
			}
			if !strings.Contains(f.logs.String(), "code="+tc.code) {
				t.Fatalf("log lacks the code: %s", f.logs.String())
			}
		})
	}
}

// A provider that refuses a scope with invalid_grant while the refresh
// token is good (Entra ID and Azure AD B2C: AADSTS65001, consent
// required): a refresh that asks for a scope is refused before it reaches
// the provider, so the cookie survives, and the next refresh works.
func TestRefreshScopeCannotClearCookie(t *testing.T) {
	f := newFixture(t, nil)
	cookie := f.login()
	f.p.setAnswer(func(w http.ResponseWriter, s seen) {
		w.Header().Set("Content-Type", "application/json")
		if s.form.Has("scope") {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application."}`)
			return
		}
		io.WriteString(w, `{"access_token":"at-2","token_type":"bearer","expires_in":3600}`)
	})
	for _, scope := range []string{"https://example.onmicrosoft.com/api/admin", "openid", ""} {
		in := refreshForm()
		in.Set("scope", scope)
		r := f.do("/oauth/token", in, cookie, nil)
		if r.status != 400 || r.code() != CodeInvalidRequest || r.cookie != nil {
			t.Fatalf("refresh with scope %q: %d %v, cookie %+v; want invalid_request and the cookie untouched", scope, r.status, r.body, r.cookie)
		}
	}
	if n := len(f.p.requests()); n != 1 {
		t.Fatalf("%d provider requests, want only the login's", n)
	}
	if r := f.do("/oauth/token", refreshForm(), cookie, nil); r.status != 200 || r.body["access_token"] != "at-2" || r.cookie != nil {
		t.Fatalf("refresh after: %d %v", r.status, r.body)
	}
	if s := f.p.requests()[1]; s.form.Has("scope") || s.form.Get("refresh_token") != firstRT {
		t.Fatalf("refresh sent %v", s.form)
	}
}

func TestLogout(t *testing.T) {
	t.Run("revokes and clears", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { c.AuthStyle = ClientSecretPost })
		cookie := f.login()
		r := f.do("/oauth/logout", nil, cookie, nil)
		if r.status != 200 || r.body["revoked"] != true || r.cookie == nil || r.cookie.MaxAge >= 0 || r.cookie.Value != "" {
			t.Fatalf("%d %v %+v", r.status, r.body, r.cookie)
		}
		last := f.p.requests()[1]
		want := url.Values{"token": {firstRT}, "token_type_hint": {"refresh_token"}, "client_id": {clientID}, "client_secret": {secret}}
		if last.path != "/revoke" || last.form.Encode() != want.Encode() || last.header.Get("Authorization") != "" {
			t.Fatalf("revocation request %s %v", last.path, last.form)
		}
	})
	t.Run("basic auth at the revocation endpoint", func(t *testing.T) {
		f := newFixture(t, nil)
		f.do("/oauth/logout", nil, f.login(), nil)
		if last := f.p.requests()[1]; last.header.Get("Authorization") != basicHeader(clientID, secret) || last.form.Has("client_secret") {
			t.Fatalf("revocation request %v %v", last.header, last.form)
		}
	})
	t.Run("no revocation endpoint", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { c.RevocationEndpoint = "" })
		r := f.do("/oauth/logout", nil, f.login(), nil)
		if r.status != 200 || r.body["revoked"] != false || r.cookie == nil || r.cookie.MaxAge >= 0 || len(f.p.requests()) != 1 {
			t.Fatalf("%d %v %+v", r.status, r.body, r.cookie)
		}
	})
	t.Run("revocation fails: cookie cleared anyway", func(t *testing.T) {
		f := newFixture(t, nil)
		cookie := f.login()
		f.p.setAnswer(func(w http.ResponseWriter, _ seen) { w.WriteHeader(503) })
		r := f.do("/oauth/logout", nil, cookie, nil)
		if r.status != 200 || r.body["revoked"] != false || r.body["error"] != CodeProviderUnavailable || r.cookie == nil || r.cookie.MaxAge >= 0 {
			t.Fatalf("%d %v %+v", r.status, r.body, r.cookie)
		}
	})
	t.Run("without a cookie", func(t *testing.T) {
		f := newFixture(t, nil)
		r := f.do("/oauth/logout", nil, "", nil)
		if r.status != 200 || r.body["revoked"] != false || len(f.p.requests()) != 0 {
			t.Fatalf("%d %v", r.status, r.body)
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	good := Config{TokenEndpoint: "https://idp.example/token", ClientID: "c", ClientSecret: secret, Origin: appOrigin, CookieKey: testKey}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Config){
		"http token endpoint":      func(c *Config) { c.TokenEndpoint = "http://idp.example/token" },
		"http revocation endpoint": func(c *Config) { c.RevocationEndpoint = "http://idp.example/revoke" },
		"no client id":             func(c *Config) { c.ClientID = "" },
		"no secret":                func(c *Config) { c.ClientSecret = "" },
		"unknown auth style":       func(c *Config) { c.AuthStyle = "private_key_jwt" },
		"origin with a path":       func(c *Config) { c.Origin = appOrigin + "/" },
		"http origin":              func(c *Config) { c.Origin = "http://app.example.com" },
		"upper-case origin":        func(c *Config) { c.Origin = "https://App.example.com" },
		"short key":                func(c *Config) { c.CookieKey = testKey[:16] },
		"prefix with a slash":      func(c *Config) { c.Prefix = "/oauth/" },
	} {
		c := good
		edit(&c)
		_, err := New(c)
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if c.ClientSecret != "" && strings.Contains(err.Error(), c.ClientSecret) ||
			c.CookieKey != nil && strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(c.CookieKey)) {
			t.Errorf("%s: a secret in the error: %v", name, err)
		}
	}
}

func TestErrorsAreTyped(t *testing.T) {
	e := error(&Error{Code: CodeCookieExpired, Status: 400})
	if !errors.Is(e, &Error{Code: CodeCookieExpired}) || errors.Is(e, &Error{Code: CodeCookieInvalid}) {
		t.Fatal("errors.Is by code")
	}
}

// The browser's side of the timeouts: a body that trickles in is cut off
// after Config.Timeout, and the provider is not called.
func TestSlowRequestBodyIsCutOff(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Timeout = 300 * time.Millisecond })
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("grant_type=authorization_code&code="))
		time.Sleep(1500 * time.Millisecond)
		pw.Write([]byte("x"))
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", srv.URL+"/oauth/token", pr)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", appOrigin)
	req.Header.Set(RequestHeader, "1")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("slow body: %d", resp.StatusCode)
		}
	}
	if d := time.Since(start); d > 1200*time.Millisecond {
		t.Fatalf("the handler waited %v for the body", d)
	}
	if len(f.p.requests()) != 0 {
		t.Fatal("the provider was called")
	}
}

// A provider that quotes what it was sent in error_description (the code,
// the refresh token, the secret) must not put it in the browser's hands:
// f.do fails on any secret value in the response body.
func TestProviderDescriptionQuotingSecretsDropped(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		quote      string
		form       url.Values
	}{
		{"refresh token", "/oauth/token", firstRT, refreshForm()},
		{"code", "/oauth/token", theCode, exchangeForm()},
		{"code_verifier", "/oauth/token", verifier, exchangeForm()},
		{"secret", "/oauth/token", secret, refreshForm()},
		{"revoked token", "/oauth/logout", firstRT, nil},
		{"refresh token across the text cap", "/oauth/token", firstRT, refreshForm()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.AuthStyle = ClientSecretPost })
			cookie := f.login()
			f.p.setAnswer(func(w http.ResponseWriter, _ seen) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				pad := ""
				if strings.Contains(tc.name, "cap") {
					pad = strings.Repeat("x", protocol.MaxTextBytes-15) // the cap cuts inside the token
				}
				json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": pad + "not valid: " + tc.quote + "."})
			})
			r := f.do(tc.path, tc.form, cookie, nil)
			if tc.path == "/oauth/logout" {
				if r.body["error"] != "invalid_grant" {
					t.Fatalf("%d %v", r.status, r.body)
				}
				return
			}
			if r.status != 400 || r.code() != "invalid_grant" {
				t.Fatalf("%d %v", r.status, r.body)
			}
			// Decoded: JSON escapes & < > in the raw body.
			if d, _ := r.body["error_description"].(string); strings.Contains(d, tc.quote) || strings.Contains(d, tc.quote[:3]) {
				t.Fatalf("the description quotes the %s: %q", tc.name, d)
			}
		})
	}
}

// A provider's Retry-After reaches the browser as seconds, whether the
// provider gave seconds or an HTTP date (RFC 9110 §10.2.3), counted from
// the handler's clock; the forms and bounds are protocol.RetryAfter's.
func TestRetryAfterDate(t *testing.T) {
	f := newFixture(t, nil)
	cookie := f.login()
	for _, tc := range []struct{ header, want string }{
		{"7", "7"},
		{f.clock().Add(7 * time.Second).UTC().Format(http.TimeFormat), "7"},
		{f.clock().Add(-time.Minute).UTC().Format(http.TimeFormat), ""},
		{"99999999999999999999", "86400"},
		{"soon", ""},
	} {
		f.p.setAnswer(func(w http.ResponseWriter, _ seen) {
			w.Header().Set("Retry-After", tc.header)
			w.WriteHeader(503)
		})
		r := f.do("/oauth/token", refreshForm(), cookie, nil)
		if r.code() != CodeProviderUnavailable || r.header.Get("Retry-After") != tc.want {
			t.Errorf("Retry-After %q: %d %s, Retry-After %q, want %q", tc.header, r.status, r.code(), r.header.Get("Retry-After"), tc.want)
		}
	}
}
