package oauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// discoveredProvider serves a discovery document naming a revocation and
// an end-session endpoint, the token endpoint and the revocation endpoint.
// down makes the document unreachable.
type discoveredProvider struct {
	mu      sync.Mutex
	revoked []string
	down    bool
}

// newDiscoveryTab is a client with the configuration of e but a tab of its
// own (its own sessionStorage, so no cached discovery document), sharing
// e's token storage: a tab opened after login with storage: "local".
func newDiscoveryTab(t *testing.T, e *env) *env {
	tab := &env{clock: e.clock, logins: NewMemoryStorage(), tokens: e.tokens, events: &eventLog{}}
	c, err := NewClient(e.c.cfg, Options{
		Transport: httpTransport{}, LoginStorage: tab.logins, TokenStorage: e.tokens,
		Now: e.clock.Now, Rand: &seqReader{}, SHA256: testSHA256, OnEvent: tab.events.add,
		AfterFunc: func(time.Duration, func()) {}, Signatures: rsaVerifier{}, Keys: StaticKeys{Set: testKeys()},
	})
	if err != nil {
		t.Fatal(err)
	}
	tab.c = c
	return tab
}

func discoveryLogin(t *testing.T, idTokenHint bool) (*env, *discoveredProvider) {
	dp := &discoveredProvider{}
	p := newProvider(t)
	h := newTokenHandler(false)
	serve := h.serve(t)
	p.setRequest(func(w http.ResponseWriter, r *http.Request) {
		dp.mu.Lock()
		down := dp.down
		dp.mu.Unlock()
		switch r.URL.Path {
		case WellKnownPath:
			if down {
				w.WriteHeader(503)
				return
			}
			writeJSON(w, 200, map[string]any{
				"issuer": "https://idp.example.com", "authorization_endpoint": "https://idp.example.com/authorize",
				"token_endpoint": p.srv.URL + "/token", "revocation_endpoint": p.srv.URL + "/revoke",
				"end_session_endpoint": "https://idp.example.com/end",
			})
		case "/revoke":
			dp.mu.Lock()
			dp.revoked = append(dp.revoked, r.PostForm.Get("token"))
			dp.mu.Unlock()
			w.WriteHeader(200)
		default:
			serve(w, r.PostForm)
		}
	})
	cfg := Config{
		Issuer: "https://idp.example.com", DiscoveryURL: p.srv.URL + WellKnownPath,
		ClientID: "client-1", RedirectURI: "https://app.example.com/callback", Scope: "openid email",
		IDTokenHint: idTokenHint,
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("configure: %v", err)
	}
	e := newEnv(t, cfg, httpTransport{})
	h.nonce = func() string { n, _ := e.nonce.Load().(string); return n }
	e.login(t)
	return e, dp
}

// A tab with no cached discovery document still revokes the refresh token
// at logout: it reads the document within logout's time limit.
func TestLogoutRevokesWithoutACachedDocument(t *testing.T) {
	e, dp := discoveryLogin(t, false)
	other := newDiscoveryTab(t, e)
	res, err := other.c.Logout(context.Background())
	if err != nil || !res.Revoked || res.RevokeError != nil {
		t.Fatalf("logout: %+v, %v", res, err)
	}
	if len(dp.revoked) != 1 || dp.revoked[0] != "rt-1" {
		t.Fatalf("revoked %v", dp.revoked)
	}
	if !strings.HasPrefix(res.URL, "https://idp.example.com/end?") {
		t.Fatalf("URL %q: the discovered end-session endpoint was not used", res.URL)
	}
}

// When the document cannot be read, logout still ends the local session,
// and says that the refresh token was not revoked: never silently.
func TestLogoutSaysWhyItCouldNotRevoke(t *testing.T) {
	e, dp := discoveryLogin(t, false)
	other := newDiscoveryTab(t, e)
	dp.mu.Lock()
	dp.down = true
	dp.mu.Unlock()
	res, err := other.c.Logout(context.Background())
	if err != nil || res.Revoked || code(res.RevokeError) != CodeNetworkError {
		t.Fatalf("logout: %+v, %v; want a network_error RevokeError", res, err)
	}
	if !strings.Contains(res.RevokeError.Error(), "not revoked") {
		t.Fatalf("RevokeError %q does not say the token was not revoked", res.RevokeError)
	}
	if s, _ := e.c.Session(); s.LoggedIn {
		t.Fatal("the local session survived")
	}
}

// idTokenHint is accepted with an end-session endpoint left to discovery,
// and the hint is sent to the discovered endpoint when logout runs (Ory
// Hydra refuses a logout with post_logout_redirect_uri and no hint).
func TestIDTokenHintWithDiscoveredEndSession(t *testing.T) {
	e, _ := discoveryLogin(t, true)
	idt := e.stored(t).IDToken
	res, err := e.c.Logout(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(res.URL)
	if u.Host != "idp.example.com" || u.Path != "/end" || u.Query().Get("id_token_hint") != idt || idt == "" {
		t.Fatalf("logout URL %q", res.URL)
	}
	// Without discovery, the option still needs the endpoint it applies to.
	cfg := testConfig("https://idp.example.com/token")
	cfg.IDTokenHint = true
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "idTokenHint") {
		t.Fatalf("static configuration without endSessionEndpoint: %v", err)
	}
}

// A bad issuer is reported as the issuer, not as the discovery URL derived
// from it.
func TestBadIssuerNamesIssuer(t *testing.T) {
	cfg := Config{Issuer: "javascript:alert(1)", ClientID: "c", RedirectURI: "https://app.example.com/cb"}
	err := cfg.Validate()
	var e *Error
	if !errorsAs(err, &e) || e.Field != "issuer" {
		t.Fatalf("err = %v (field %q), want field issuer", err, fieldOf(err))
	}
}

func fieldOf(err error) string {
	var e *Error
	if errorsAs(err, &e) {
		return e.Field
	}
	return ""
}

// Origins written otherwise than the browser writes them: apiOrigins are
// canonicalised, redirectUri is refused with the form to use.
func TestOriginsAsTheBrowserWritesThem(t *testing.T) {
	for in, want := range map[string]string{
		"http://[0:0:0:0:0:0:0:1]":     "http://[::1]",
		"https://api.example.com:0443": "https://api.example.com",
		"http://127.1":                 "http://127.0.0.1",
		"http://localhost:08080":       "http://localhost:8080",
	} {
		if got, err := ParseAPIOrigin(in); err != nil || got != want {
			t.Errorf("apiOrigins %s: %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"http://[0:0:0:0:0:0:0:1]:8080/cb": `"http://[::1]:8080/cb"`,
		"https://app.example.com:0443/cb":  `"https://app.example.com/cb"`,
		"http://127.1/cb":                  `"http://127.0.0.1/cb"`,
	} {
		cfg := testConfig("https://idp.example.com/token")
		cfg.RedirectURI = in
		err := cfg.Validate()
		if fieldOf(err) != "redirectUri" || !strings.Contains(err.Error(), want) {
			t.Errorf("redirectUri %s: %v; want the form %s", in, err, want)
		}
	}
	// The request's origin is compared in the same form.
	e := newEnv(t, func() Config {
		c := testConfig("https://idp.example.com/token")
		c.APIOrigins = []string{"http://[::1]:9000"}
		return c
	}(), &stubTransport{})
	if !e.c.apiOriginAllowed(mustOrigin(t, "http://[0:0::1]:09000/x")) {
		t.Fatal("the same origin written otherwise was not recognised")
	}
}

func mustOrigin(t *testing.T, s string) string {
	o, err := requestOrigin(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
