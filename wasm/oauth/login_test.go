package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Values derived from seqReader with Python's base64 and hashlib.
const (
	seqVerifier  = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	seqState     = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3"
	seqNonce     = "ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5P"
	seqChallenge = "6oZqdX5MOLq_qBJ8vppAnT4fk6AP8UiP9zX8-Rev_9A"
)

func TestAuthorizeURLCognito(t *testing.T) {
	// Smokeball/Onescape: Cognito hosted UI, no scope (all assigned scopes).
	cfg := Config{
		AuthorizationEndpoint: "https://auth.smokeball.com/oauth2/authorize",
		TokenEndpoint:         "https://auth.smokeball.com/oauth2/token",
		LogoutEndpoint:        "https://auth.smokeball.com/logout",
		ClientID:              "4q1c3example",
		RedirectURI:           "https://app.example.com/callback",
	}
	e := newEnv(t, cfg, &stubTransport{})
	got, err := e.c.StartLogin("")
	if err != nil {
		t.Fatal(err)
	}
	want := "https://auth.smokeball.com/oauth2/authorize?client_id=4q1c3example" +
		"&code_challenge=" + seqChallenge + "&code_challenge_method=S256" +
		"&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&state=" + seqState
	if got != want {
		t.Fatalf("authorize URL\n got %s\nwant %s", got, want)
	}
	raw, ok, _ := e.logins.Get(loginPrefix + seqState)
	if !ok {
		t.Fatal("login state not stored under the state")
	}
	var p pendingLogin
	json.Unmarshal([]byte(raw), &p)
	if p.Verifier != seqVerifier || p.Nonce != "" || p.ReturnTo != "/" || p.RedirectURI != cfg.RedirectURI {
		t.Fatalf("stored login state = %+v", p)
	}
}

func TestAuthorizeURLAzureB2C(t *testing.T) {
	// SmartTask: Azure AD B2C custom policy, OpenID scopes: a nonce is sent.
	base := "https://identity.smarttask.io/99abc933-fcdd-4dba-893c-b2b9f81c0676/B2C_1A_SIGNUP_SIGNIN/oauth2/v2.0"
	cfg := Config{
		Issuer:                "https://identity.smarttask.io/99abc933-fcdd-4dba-893c-b2b9f81c0676/v2.0/",
		AuthorizationEndpoint: base + "/authorize",
		TokenEndpoint:         base + "/token",
		ClientID:              "3257234",
		RedirectURI:           "https://my.app.com/callback",
		Scope:                 "openid offline_access https://smarttaskauth.onmicrosoft.com/api/read",
		ExtraParams:           map[string]string{"prompt": "login"},
		JWKSURI:               "https://identity.smarttask.io/99abc933-fcdd-4dba-893c-b2b9f81c0676/b2c_1a_signup_signin/discovery/v2.0/keys",
	}
	e := newEnv(t, cfg, &stubTransport{})
	got, err := e.c.StartLogin("/tasks?view=mine")
	if err != nil {
		t.Fatal(err)
	}
	want := base + "/authorize?client_id=3257234" +
		"&code_challenge=" + seqChallenge + "&code_challenge_method=S256" +
		"&nonce=" + seqNonce + "&prompt=login" +
		"&redirect_uri=https%3A%2F%2Fmy.app.com%2Fcallback&response_type=code" +
		"&scope=openid+offline_access+https%3A%2F%2Fsmarttaskauth.onmicrosoft.com%2Fapi%2Fread" +
		"&state=" + seqState
	if got != want {
		t.Fatalf("authorize URL\n got %s\nwant %s", got, want)
	}
}

func TestStartLoginReturnTo(t *testing.T) {
	e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
	for _, bad := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "relative", "/a\nb", "/\x00"} {
		if _, err := e.c.StartLogin(bad); code(err) != CodeInvalidArgument {
			t.Errorf("StartLogin(%q): err = %v, want invalid_argument", bad, err)
		}
	}
	if keys, _ := e.logins.Keys(loginPrefix); len(keys) != 0 {
		t.Fatalf("a refused StartLogin stored state: %v", keys)
	}
	for _, good := range []string{"/", "/a/b?c=d#e", "/%2F"} {
		if _, err := e.c.StartLogin(good); err != nil {
			t.Errorf("StartLogin(%q): %v", good, err)
		}
	}
}

// A returnTo that checkReturnTo accepts but whose stored login state would
// exceed what readPending reads (its characters escaped in JSON: a quote
// takes two bytes, U+2028 six) is refused by StartLogin, before the user is
// sent to the provider, not at the callback after they signed in.
func TestStartLoginStateTooLarge(t *testing.T) {
	e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
	for _, rt := range []string{"/" + strings.Repeat(`"`, 2047), "/" + strings.Repeat("\u2028", 682)} {
		if _, err := e.c.StartLogin(rt); code(err) != CodeInvalidArgument {
			t.Errorf("StartLogin(%d bytes): err = %v, want invalid_argument", len(rt), err)
		}
	}
	if keys, _ := e.logins.Keys(loginPrefix); len(keys) != 0 {
		t.Fatalf("a refused StartLogin stored state: %v", keys)
	}
	// The longest plain returnTo still fits, and reads back.
	long := "/" + strings.Repeat("a", 2047)
	if _, err := e.c.StartLogin(long); err != nil {
		t.Fatal(err)
	}
	keys, _ := e.logins.Keys(loginPrefix)
	if len(keys) != 1 {
		t.Fatalf("stored %v", keys)
	}
	if p, err := e.c.readPending(keys[0]); err != nil || p.ReturnTo != long {
		t.Fatalf("stored state read back: %v", err)
	}
}

func TestStartLoginPrunesOldAttempts(t *testing.T) {
	e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
	var states []string
	for i := 0; i < 9; i++ {
		u, err := e.c.StartLogin("/")
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, mustQuery(t, u).Get("state"))
		e.clock.Add(time.Second)
	}
	if keys, _ := e.logins.Keys(loginPrefix); len(keys) != maxPendingLogins {
		t.Fatalf("%d pending logins kept, want %d", len(keys), maxPendingLogins)
	}
	// The oldest went first: the last maxPendingLogins remain.
	for i, st := range states {
		_, ok, _ := e.logins.Get(loginPrefix + st)
		if want := i >= len(states)-maxPendingLogins; ok != want {
			t.Errorf("attempt %d kept = %v, want %v", i, ok, want)
		}
	}
	e.clock.Add(LoginTimeout + time.Minute)
	e.c.StartLogin("/")
	if keys, _ := e.logins.Keys(loginPrefix); len(keys) != 1 {
		t.Fatalf("expired attempts not pruned: %d left", len(keys))
	}
}

// callbackCase is one row of the callback table: a query built from the
// pending state, and the expected error code (or "" for success).
type callbackCase struct {
	name string
	// query builds the callback query from the real state.
	query func(state string) string
	// setup runs after StartLogin (tamper with storage...).
	setup    func(e *env, state string)
	cfg      func(c *Config)
	wantCode string
	// wantDesc: the description the error must carry ("" = must be empty).
	wantDesc string
	// exchanges: token requests expected.
	exchanges int
}

func (tc callbackCase) run(t *testing.T) {
	p := newProvider(t)
	h := newTokenHandler(false)
	p.set(h.serve(t))
	cfg := testConfig(p.srv.URL + "/token")
	if tc.cfg != nil {
		tc.cfg(&cfg)
	}
	e := newEnv(t, cfg, httpTransport{})
	u, err := e.c.StartLogin("/after")
	if err != nil {
		t.Fatal(err)
	}
	au, _ := url.Parse(u)
	state := au.Query().Get("state")
	h.nonce = func() string { return au.Query().Get("nonce") }
	if tc.setup != nil {
		tc.setup(e, state)
	}
	cb := cfg.RedirectURI + "?" + tc.query(state)
	res, err := e.c.HandleCallback(context.Background(), cb)
	if got := code(err); got != tc.wantCode {
		t.Fatalf("HandleCallback(%s): err = %v, want code %q", cb, err, tc.wantCode)
	}
	if n := int(p.counts["authorization_code"].Load()); n != tc.exchanges {
		t.Fatalf("%d token requests, want %d", n, tc.exchanges)
	}
	if keys, _ := e.logins.Keys(loginPrefix); len(keys) != 0 {
		t.Fatalf("login state left in storage: %v", keys)
	}
	if err != nil {
		e2 := err.(*Error)
		if e2.Description != tc.wantDesc {
			t.Fatalf("description = %q, want %q", e2.Description, tc.wantDesc)
		}
		if _, ok, _ := e.tokens.Get(e.c.tokensKey()); ok {
			t.Fatal("tokens stored after a failed callback")
		}
		// A replay of the same URL never reaches the token endpoint.
		if _, err := e.c.HandleCallback(context.Background(), cb); err == nil {
			t.Fatal("replayed callback accepted")
		}
		if n := int(p.counts["authorization_code"].Load()); n != tc.exchanges {
			t.Fatalf("replay made a token request")
		}
		return
	}
	if res.ReturnTo != "/after" || strings.Contains(res.CleanURL, "code=") || strings.Contains(res.CleanURL, "state=") {
		t.Fatalf("result = %+v", res)
	}
	f := p.lastForm()
	if f.Get("code_verifier") == "" || f.Get("redirect_uri") != cfg.RedirectURI || f.Get("client_id") != cfg.ClientID || f.Get("client_secret") != "" {
		t.Fatalf("token request form = %v", f)
	}
	// Replay after success: no second exchange (RFC 6749 §4.1.2).
	if _, err := e.c.HandleCallback(context.Background(), cb); code(err) != CodeNoPendingLogin {
		t.Fatalf("replay after success: %v, want no_pending_login", err)
	}
	if n := int(p.counts["authorization_code"].Load()); n != 1 {
		t.Fatalf("replay exchanged the code again (%d requests)", n)
	}
}

func TestHandleCallback(t *testing.T) {
	ok := func(s string) string { return "code=c1&state=" + url.QueryEscape(s) }
	html := `<img src=x onerror=alert(1)>`
	for _, tc := range []callbackCase{
		{name: "success", query: ok, exchanges: 1},
		{name: "success with openid nonce", query: ok, cfg: withOpenID, exchanges: 1},
		{name: "state mismatch", query: func(string) string { return "code=c1&state=forged" }, wantCode: CodeStateMismatch},
		{name: "state missing", query: func(string) string { return "code=c1" }, wantCode: CodeStateMismatch},
		{name: "no pending login", query: ok, setup: func(e *env, s string) { e.logins.Remove(loginPrefix + s) }, wantCode: CodeNoPendingLogin},
		{name: "repeated code", query: func(s string) string { return ok(s) + "&code=c2" }, wantCode: CodeInvalidCallback},
		{name: "repeated state", query: func(s string) string { return ok(s) + "&state=x" }, wantCode: CodeInvalidCallback},
		{name: "semicolon query", query: func(s string) string { return ok(s) + ";x=y" }, wantCode: CodeInvalidCallback},
		{name: "access_token in query", query: func(s string) string { return ok(s) + "&access_token=abc" }, wantCode: CodeInvalidCallback},
		{name: "id_token in fragment", query: func(s string) string { return ok(s) + "#id_token=abc" }, wantCode: CodeInvalidCallback},
		{name: "token in query", query: func(s string) string { return ok(s) + "&token=abc" }, wantCode: CodeInvalidCallback},
		{name: "neither code nor error", query: func(s string) string { return "state=" + s }, wantCode: CodeInvalidCallback},
		{
			name: "access_denied with HTML description",
			query: func(s string) string {
				return "error=access_denied&error_description=" + url.QueryEscape(html) + "&state=" + s
			},
			wantCode: "access_denied", wantDesc: html,
		},
		{
			name: "error with wrong state hides provider text",
			query: func(string) string {
				return "error=access_denied&error_description=" + url.QueryEscape("call +1-555 now") + "&state=forged"
			},
			wantCode: CodeStateMismatch,
		},
		{
			name:     "error_uri javascript is dropped",
			query:    func(s string) string { return "error=invalid_scope&error_uri=javascript:alert(1)&state=" + s },
			wantCode: "invalid_scope",
		},
		{
			name:     "error code outside the syntax",
			query:    func(s string) string { return "error=" + url.QueryEscape("<b>x</b>") + "&state=" + s },
			wantCode: CodeProviderError,
		},
		{name: "iss mismatch", query: func(s string) string { return ok(s) + "&iss=https%3A%2F%2Fevil.example" }, wantCode: CodeIssuerMismatch},
		{
			name: "iss mismatch on an error response", wantCode: CodeIssuerMismatch,
			query: func(s string) string { return "error=access_denied&state=" + s + "&iss=https%3A%2F%2Fevil.example" },
		},
		{name: "iss matches", query: func(s string) string { return ok(s) + "&iss=https%3A%2F%2Fidp.example.com" }, exchanges: 1},
		{name: "iss missing where advertised", query: ok, cfg: func(c *Config) { c.IssParameterSupported = true }, wantCode: CodeIssuerMismatch},
		{name: "iss without configured issuer", query: func(s string) string { return ok(s) + "&iss=https%3A%2F%2Fidp.example.com" }, cfg: func(c *Config) { c.Issuer = "" }, wantCode: CodeIssuerMismatch},
		{name: "stale login", query: ok, setup: func(e *env, s string) { e.clock.Add(LoginTimeout + time.Second) }, wantCode: CodeLoginRequired},
		// Stored login state tampered with.
		{name: "verifier too short", query: ok, setup: tamper(func(p map[string]any) { p["verifier"] = "abc" }), wantCode: CodeInvalidLoginState},
		{name: "verifier wrong characters", query: ok, setup: tamper(func(p map[string]any) { p["verifier"] = strings.Repeat("!", 43) }), wantCode: CodeInvalidLoginState},
		{name: "verifier missing", query: ok, setup: tamper(func(p map[string]any) { delete(p, "verifier") }), wantCode: CodeInvalidLoginState},
		{name: "verifier wrong type", query: ok, setup: tamper(func(p map[string]any) { p["verifier"] = 42 }), wantCode: CodeInvalidLoginState},
		{name: "endpoint added to storage", query: ok, setup: tamper(func(p map[string]any) { p["token_endpoint"] = "https://evil.example/token" }), wantCode: CodeInvalidLoginState},
		{name: "redirect rewritten", query: ok, setup: tamper(func(p map[string]any) { p["redirect_uri"] = "https://evil.example/cb" }), wantCode: CodeInvalidLoginState},
		{name: "return path rewritten", query: ok, setup: tamper(func(p map[string]any) { p["return_to"] = "//evil.example" }), wantCode: CodeInvalidLoginState},
		{name: "malformed JSON", query: ok, setup: setRaw(`{"v":1,`), wantCode: CodeInvalidLoginState},
		{name: "oversized", query: ok, setup: setRaw(`{"v":1,"verifier":"` + strings.Repeat("a", 5000) + `"}`), wantCode: CodeInvalidLoginState},
		{name: "not an object", query: ok, setup: setRaw(`[]`), wantCode: CodeInvalidLoginState},
	} {
		t.Run(tc.name, tc.run)
	}
}

// The code is refused: a typed error with the provider's text, never retried.
func TestInvalidGrantOnExchange(t *testing.T) {
	p := newProvider(t)
	p.set(func(w http.ResponseWriter, _ url.Values) {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "code expired"})
	})
	e := newEnv(t, testConfig(p.srv.URL), httpTransport{})
	u, _ := e.c.StartLogin("/")
	au, _ := url.Parse(u)
	_, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?code=c&state="+au.Query().Get("state"))
	var oe *Error
	if code(err) != CodeInvalidGrant || !errorsAs(err, &oe) || oe.Description != "code expired" || oe.Status != 400 {
		t.Fatalf("err = %#v", err)
	}
	if n := p.counts["authorization_code"].Load(); n != 1 {
		t.Fatalf("%d exchanges, want exactly 1 (never retried)", n)
	}
}

func tamper(f func(p map[string]any)) func(e *env, state string) {
	return func(e *env, state string) {
		raw, _, _ := e.logins.Get(loginPrefix + state)
		var p map[string]any
		json.Unmarshal([]byte(raw), &p)
		f(p)
		b, _ := json.Marshal(p)
		e.logins.Set(loginPrefix+state, string(b))
	}
}

func setRaw(s string) func(e *env, state string) {
	return func(e *env, state string) { e.logins.Set(loginPrefix+state, s) }
}

func TestHandleCallbackWrongURL(t *testing.T) {
	e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
	u, _ := e.c.StartLogin("/")
	au, _ := url.Parse(u)
	for _, cb := range []string{
		"https://evil.example/callback?code=c&state=" + au.Query().Get("state"),
		"https://app.example.com/other?code=c&state=x",
		"%zz",
		"http://app.example.com/callback?code=c&state=x",
		"https://app.example.com:8443/callback?code=c&state=x",
		"https://app.example.com/callback/?code=c&state=x",
		"https://app.example.com/Callback?code=c&state=x",
		"https://user@app.example.com/callback?code=c&state=x",
		"https://app.example.com.evil.example/callback?code=c&state=x",
		"https://evil.example\\@app.example.com/callback?code=c&state=x",
		"https:app.example.com/callback?code=c&state=x",
	} {
		if _, err := e.c.HandleCallback(context.Background(), cb); code(err) != CodeInvalidCallback {
			t.Errorf("%s: err = %v, want invalid_callback", cb, err)
		}
	}
}

// The browser hands handleCallback location.href, which it has
// normalised (WHATWG URL): an empty path is "/", the host lowercase, the
// default port dropped. A redirect URI configured in another spelling of
// the same URL ("redirectUri: location.origin") still completes its
// logins; a different URL is still refused (TestHandleCallbackWrongURL).
func TestHandleCallbackBrowserForm(t *testing.T) {
	for _, tc := range []struct{ configured, href string }{
		{"https://app.example.com", "https://app.example.com/"},
		{"https://App.Example.COM/callback", "https://app.example.com/callback"},
		{"https://app.example.com:443/callback", "https://app.example.com/callback"},
		{"http://localhost:80", "http://localhost/"},
	} {
		p := newProvider(t)
		p.set(newTokenHandler(false).serve(t))
		cfg := testConfig(p.srv.URL)
		cfg.RedirectURI = tc.configured
		e := newEnv(t, cfg, httpTransport{})
		u, err := e.c.StartLogin("/")
		if err != nil {
			t.Fatal(err)
		}
		state := mustQuery(t, u).Get("state")
		if _, err := e.c.HandleCallback(context.Background(), tc.href+"?code=c&state="+state); err != nil {
			t.Errorf("redirectUri %s, callback %s: %v", tc.configured, tc.href, err)
		}
	}
}

func TestTwoStartLoginsOnlyReturningStateCompletes(t *testing.T) {
	p := newProvider(t)
	p.set(newTokenHandler(false).serve(t))
	e := newEnv(t, testConfig(p.srv.URL), httpTransport{})
	u1, _ := e.c.StartLogin("/one")
	u2, _ := e.c.StartLogin("/two")
	s1 := mustQuery(t, u1).Get("state")
	s2 := mustQuery(t, u2).Get("state")
	if s1 == s2 {
		t.Fatal("two logins share a state")
	}
	res, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?code=c&state="+s2)
	if err != nil || res.ReturnTo != "/two" {
		t.Fatalf("second login: %v %+v", err, res)
	}
	if _, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?code=c&state="+s1); code(err) != CodeNoPendingLogin {
		t.Fatalf("first login after the second completed: %v", err)
	}
}

func TestNonceMismatch(t *testing.T) {
	p := newProvider(t)
	h := newTokenHandler(false)
	h.nonce = func() string { return "not-the-nonce" }
	p.set(h.serve(t))
	cfg := testConfig(p.srv.URL)
	withOpenID(&cfg)
	e := newEnv(t, cfg, httpTransport{})
	u, _ := e.c.StartLogin("/")
	_, err := e.c.HandleCallback(context.Background(), cfg.RedirectURI+"?code=c&state="+mustQuery(t, u).Get("state"))
	if code(err) != CodeInvalidIDToken {
		t.Fatalf("err = %v, want invalid_id_token", err)
	}
	if _, ok, _ := e.tokens.Get(e.c.tokensKey()); ok {
		t.Fatal("tokens stored despite a nonce mismatch")
	}
}

func TestClaimsKeepStringUserID(t *testing.T) {
	e, _, _ := loggedInWith(t, false, withOpenID)
	claims, err := e.c.Claims()
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := claims["user_id"].(string); !ok || id != "12345678901234567890" {
		t.Fatalf("user_id = %#v, want the string kept exactly", claims["user_id"])
	}
}

func mustQuery(t *testing.T, u string) url.Values {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return pu.Query()
}

// The address bar loses the code and state whatever the fragment holds:
// CleanCallbackURL drops the fragment, so one that does not parse (a bare
// "%", inherited from the provider's page across its redirect) cannot
// leave the code in the address bar and the history.
func TestCleanCallbackURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://app.example.com/callback?code=c&state=s":                  "https://app.example.com/callback",
		"https://app.example.com/callback?x=1&code=c&state=s&iss=i#frag":   "https://app.example.com/callback?x=1",
		"https://app.example.com/callback?code=c&state=s#100%":             "https://app.example.com/callback",
		"https://app.example.com/callback?c%6Fde=c&state=s;x#%zz":          "https://app.example.com/callback",
		"https://app.example.com/callback?error=access_denied&state=s#_=_": "https://app.example.com/callback",
		"https://app.example.com/c%zz?code=c":                              "",
	} {
		if got := CleanCallbackURL(in); got != want {
			t.Errorf("CleanCallbackURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A page on another origin than the redirect URI (localhost against
// 127.0.0.1) cannot complete a login: StartLogin refuses it with an
// invalid_config error for redirectUri that names both origins, and
// stores nothing. The same origin, spelled with a default port, passes.
func TestStartLoginRedirectOrigin(t *testing.T) {
	cfg := testConfig("https://idp.example.com/token")
	cfg.RedirectURI = "http://127.0.0.1:8080/callback"
	e := newEnv(t, cfg, &stubTransport{})
	e.c.opts.PageOrigin = "http://localhost:8080"
	_, err := e.c.StartLogin("/")
	var oe *Error
	if !errors.As(err, &oe) || oe.Code != CodeInvalidConfig || oe.Field != "redirectUri" {
		t.Fatalf("StartLogin from another origin: %v, want invalid_config for redirectUri", err)
	}
	for _, want := range []string{"http://127.0.0.1:8080", "http://localhost:8080"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s: %v", want, err)
		}
	}
	if keys, _ := e.logins.Keys(loginPrefix); len(keys) != 0 {
		t.Fatalf("a refused StartLogin stored state: %v", keys)
	}
	e.c.opts.PageOrigin = "http://127.0.0.1:8080"
	if _, err := e.c.StartLogin("/"); err != nil {
		t.Fatalf("StartLogin from the redirect URI's origin: %v", err)
	}
	cfg.RedirectURI = "https://app.example.com:443/callback"
	e = newEnv(t, cfg, &stubTransport{})
	e.c.opts.PageOrigin = "https://app.example.com"
	if _, err := e.c.StartLogin("/"); err != nil {
		t.Fatalf("StartLogin with the default port spelled out: %v", err)
	}
}
