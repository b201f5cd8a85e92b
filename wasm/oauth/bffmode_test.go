package oauth

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeBFF plays the server half of wasm/server/bff for the core (which the
// core's tests cannot import): session handles in place of tokens, a
// session endpoint with claims and routes, and a logout.
type fakeBFF struct {
	mu        sync.Mutex
	gen       int
	refreshes int
	nonce     string
	expiresIn int
}

func (b *fakeBFF) handler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if r.Header.Get("Gopkce-Request") != "1" {
			t.Errorf("%s without the request header", r.URL.Path)
		}
		r.ParseForm()
		handle := "handle-" + strconv.Itoa(b.gen)
		switch r.URL.Path {
		case "/bff/token":
			if r.PostForm.Get("grant_type") == "authorization_code" {
				b.nonce = r.PostForm.Get("nonce")
			} else {
				b.refreshes++
			}
			b.gen++
			// A server that leaked tokens: the module must not read them.
			writeJSON(w, 200, map[string]any{
				"session_handle": "handle-" + strconv.Itoa(b.gen), "token_type": "Bearer",
				"expires_in": b.expiresIn, "refresh_token_held": true,
				"access_token": "at-leaked", "id_token": "idt-leaked", "refresh_token": "rt-leaked",
			})
		case "/bff/session":
			writeJSON(w, 200, map[string]any{
				"loggedIn": true, "session_handle": handle,
				"claims": map[string]any{"sub": "user-1", "gen": b.gen},
				"routes": []any{
					map[string]any{"path": "/api/", "upstream": "https://api.example.com/v1/"},
					map[string]any{"path": "/legacy/", "upstream": "https://legacy.example.com/"},
				},
			})
		case "/bff/logout":
			writeJSON(w, 200, map[string]any{"revoked": true})
		default:
			http.NotFound(w, r)
		}
	})
}

func newBFFEnv(t *testing.T) (*env, *fakeBFF, string) {
	b := &fakeBFF{expiresIn: 3600}
	app := httptest.NewServer(b.handler(t))
	t.Cleanup(app.Close)
	jar, _ := cookiejar.New(nil)
	cfg := testConfig("")
	cfg.BFF = "/bff"
	cfg.Scope = "openid email"
	cfg.RedirectURI = app.URL + "/callback"
	cfg.APIOrigins = []string{"https://api.example.com", app.URL}
	return newEnv(t, cfg, &pageTransport{origin: app.URL, jar: jar}), b, app.URL
}

func TestBFFMode(t *testing.T) {
	e, b, page := newBFFEnv(t)
	e.login(t)
	if b.nonce == "" || b.nonce != e.nonce.Load().(string) {
		t.Fatalf("the exchange sent nonce %q, the login's is %q", b.nonce, e.nonce.Load())
	}
	raw, _, _ := e.tokens.Get(e.c.tokensKey())
	if strings.Contains(raw, "leaked") || !strings.Contains(raw, `"access_token":"handle-1"`) {
		t.Fatalf("stored %s", raw)
	}
	if _, err := e.c.Token(context.Background(), TokenOptions{}); code(err) != CodeTokensOnServer {
		t.Fatalf("Token: %v, want %s", err, CodeTokensOnServer)
	}
	if got := e.pub.servable(e.clock.Now()); got != "" {
		t.Fatalf("published %q: nothing may reach the loader's fast path", got)
	}
	claims, err := e.c.Claims()
	if err != nil || claims["sub"] != "user-1" {
		t.Fatalf("Claims: %v %v", claims, err)
	}
	s, err := e.c.Session()
	if err != nil || !s.LoggedIn || !s.HasRefreshToken {
		t.Fatalf("Session: %+v %v", s, err)
	}

	for _, tc := range []struct{ in, want, code string }{
		{"https://api.example.com/v1/items?q=1", page + "/api/items?q=1", ""},
		{"https://api.example.com/v1/", page + "/api/", ""},
		{"https://legacy.example.com/x", "", CodeOriginNotAllowed}, // a route, but not in apiOrigins
		{page + "/api/items", page + "/api/items", ""},
		{"https://api.example.com/v2/items", "", CodeRouteNotAllowed},
		{"https://api.example.com/v1", "", CodeRouteNotAllowed},
		{page + "/other", "", CodeRouteNotAllowed},
		{"https://api.example.com/api/x", "", CodeRouteNotAllowed}, // a route path, but not on the page's origin
		{"https://evil.example.com/v1/x", "", CodeOriginNotAllowed},
	} {
		got, handle, err := e.c.BFFRequest(context.Background(), tc.in, "", "")
		if code(err) != tc.code || got != tc.want || (tc.code == "" && handle != "handle-1") {
			t.Errorf("BFFRequest(%s) = %q %q %v; want %q, code %q", tc.in, got, handle, err, tc.want, tc.code)
		}
	}

	// The proxy's token_expired: one refresh, a new handle; a caller that
	// rejects the old handle after that gets the new one without another.
	_, h2, err := e.c.BFFRequest(context.Background(), "https://api.example.com/v1/a", "handle-1", "token_expired")
	if err != nil || h2 != "handle-2" || b.refreshes != 1 {
		t.Fatalf("after token_expired: %q %v, %d refreshes", h2, err, b.refreshes)
	}
	_, h3, err := e.c.BFFRequest(context.Background(), "https://api.example.com/v1/a", "handle-1", "token_expired")
	if err != nil || h3 != "handle-2" || b.refreshes != 1 {
		t.Fatalf("a second rejection of the old handle: %q %v, %d refreshes", h3, err, b.refreshes)
	}
	if claims, _ := e.c.Claims(); claims["gen"] != Number("2") {
		t.Fatalf("claims after the refresh: %v", claims)
	}
	// Any other 401 stands.
	if u, _, err := e.c.BFFRequest(context.Background(), "https://api.example.com/v1/a", "handle-2", `Bearer error="insufficient_scope"`); u != "" || err != nil || b.refreshes != 1 {
		t.Fatalf("another 401: %q %v, %d refreshes", u, err, b.refreshes)
	}

	res, err := e.c.Logout(context.Background())
	if err != nil || !res.Revoked {
		t.Fatalf("Logout: %+v %v", res, err)
	}
	if s, _ := e.c.Session(); s.LoggedIn {
		t.Fatal("logged in after logout")
	}
}

func TestBFFConfig(t *testing.T) {
	for name, set := range map[string]func(*Config){
		"tokenEndpoint": func(c *Config) { c.TokenEndpoint = "https://idp.example.com/token" },
		"tokenHandler":  func(c *Config) { c.TokenHandler = "/oauth" },
		"useToken":      func(c *Config) { c.UseIDToken = true },
		"path":          func(c *Config) { c.BFF = "https://app.example.com/bff" },
	} {
		cfg := testConfig("")
		cfg.BFF = "/bff"
		set(&cfg)
		if _, err := NewClient(cfg, Options{}); code(err) != CodeInvalidConfig {
			t.Errorf("%s: %v, want invalid_config", name, err)
		}
	}
}
