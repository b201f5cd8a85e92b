package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"
)

func loggedIn(t *testing.T, rotating bool) (*env, *provider, *tokenHandler) {
	return loggedInWith(t, rotating, func(*Config) {})
}

// loggedInWith logs in against a fresh fake provider with a configuration
// changed by tweak.
func loggedInWith(t *testing.T, rotating bool, tweak func(c *Config)) (*env, *provider, *tokenHandler) {
	p := newProvider(t)
	h := newTokenHandler(rotating)
	p.set(h.serve(t))
	cfg := testConfig(p.srv.URL)
	tweak(&cfg)
	e := newEnv(t, cfg, httpTransport{})
	h.nonce = func() string { n, _ := e.nonce.Load().(string); return n }
	e.login(t)
	return e, p, h
}

// withOpenID asks for openid, with the fake provider's key set.
func withOpenID(cfg *Config) {
	cfg.Scope = "openid email"
	cfg.JWKSURI = "https://idp.example.com/jwks"
}

func (e *env) stored(t *testing.T) *TokenSet {
	t.Helper()
	raw, ok, _ := e.tokens.Get(e.c.tokensKey())
	if !ok {
		return nil
	}
	var ts TokenSet
	if err := json.Unmarshal([]byte(raw), &ts); err != nil {
		t.Fatal(err)
	}
	return &ts
}

func TestTokenFreshIsServedWithoutRequest(t *testing.T) {
	e, p, _ := loggedIn(t, false)
	e.clock.Add(58 * time.Minute) // 2 minutes left, margin 60 s
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok != "at-1" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	if n := p.counts["refresh_token"].Load(); n != 0 {
		t.Fatalf("%d refreshes for a fresh token", n)
	}
}

func TestTokenNotLoggedIn(t *testing.T) {
	e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
	if _, err := e.c.Token(context.Background(), TokenOptions{}); !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want login_required", err)
	}
}

// Twenty concurrent callers on an expired token: one refresh, one result.
func TestSingleFlightRefresh(t *testing.T) {
	for _, rotating := range []bool{false, true} {
		e, p, _ := loggedIn(t, rotating)
		e.clock.Add(2 * time.Hour)
		release := make(chan struct{})
		h := p.handler
		p.set(func(w http.ResponseWriter, f url.Values) {
			<-release // hold the refresh until every caller is waiting
			h(w, f)
		})
		wait := flightBarrier(e.c)
		var wg sync.WaitGroup
		toks := make([]string, 20)
		errs := make([]error, 20)
		for i := range 20 {
			wg.Go(func() { toks[i], errs[i] = e.c.Token(context.Background(), TokenOptions{}) })
		}
		wait(20) // every caller started or joined the one flight
		close(release)
		wg.Wait()
		for i := range 20 {
			if errs[i] != nil || toks[i] != toks[0] || toks[0] == "at-1" {
				t.Fatalf("rotating=%v caller %d: %q %v (first %q)", rotating, i, toks[i], errs[i], toks[0])
			}
		}
		if n := p.counts["refresh_token"].Load(); n != 1 {
			t.Fatalf("rotating=%v: %d refresh requests, want 1", rotating, n)
		}
		// The session is still alive: against a rotating provider a second
		// use of the old refresh token would have revoked it.
		e.clock.Add(2 * time.Hour)
		if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
			t.Fatalf("rotating=%v: next refresh: %v", rotating, err)
		}
	}
}

// Twenty concurrent callers and a refusal: all get the same error.
func TestSingleFlightSharedError(t *testing.T) {
	e, p, _ := loggedIn(t, false)
	e.clock.Add(2 * time.Hour)
	release := make(chan struct{})
	p.set(func(w http.ResponseWriter, _ url.Values) {
		<-release
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
	})
	wait := flightBarrier(e.c)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range 20 {
		wg.Go(func() { _, errs[i] = e.c.Token(context.Background(), TokenOptions{}) })
	}
	wait(20)
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != errs[0] || !errors.Is(err, ErrLoginRequired) {
			t.Fatalf("caller %d: %v (first %v)", i, err, errs[0])
		}
	}
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("%d refresh requests, want 1", n)
	}
}

func TestRefreshCognitoKeepsRefreshToken(t *testing.T) {
	e, p, _ := loggedInWith(t, false, withOpenID)
	e.clock.Add(2 * time.Hour)
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok != "at-2" {
		t.Fatalf("Token = %q %v", tok, err)
	}
	if f := p.lastForm(); f.Get("refresh_token") != "rt-1" || f.Get("client_id") != "client-1" || f.Get("grant_type") != "refresh_token" {
		t.Fatalf("refresh form = %v", f)
	}
	ts := e.stored(t)
	if ts.RefreshToken != "rt-1" || ts.AccessToken != "at-2" || ts.IDToken == "" {
		t.Fatalf("stored = %+v (refresh token and ID token must be kept)", ts)
	}
	if got := e.events.types(); !slices.Equal(got, []string{EventTokensChanged, EventTokensChanged}) {
		t.Fatalf("events = %v", got)
	}
}

func TestRefreshRotationReplacesFirst(t *testing.T) {
	e, p, _ := loggedIn(t, true)
	e.clock.Add(2 * time.Hour)
	var storedDuringEvent *TokenSet
	e.c.opts.OnEvent = func(ev Event) { storedDuringEvent = e.stored(t) }
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts := e.stored(t)
	if ts.RefreshToken != "rt-2" || ts.AccessToken != tok {
		t.Fatalf("stored = %+v, want the rotated refresh token", ts)
	}
	if storedDuringEvent == nil || storedDuringEvent.RefreshToken != "rt-2" {
		t.Fatal("the new access token was announced before the rotated refresh token was stored")
	}
	e.clock.Add(2 * time.Hour)
	if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	if f := p.lastForm(); f.Get("refresh_token") != "rt-2" {
		t.Fatalf("second refresh sent %q, want the rotated rt-2", f.Get("refresh_token"))
	}
}

func TestRefreshInvalidGrantClearsTokens(t *testing.T) {
	e, p, _ := loggedIn(t, false)
	e.clock.Add(2 * time.Hour)
	p.set(func(w http.ResponseWriter, _ url.Values) {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "Refresh Token has expired"})
	})
	_, err := e.c.Token(context.Background(), TokenOptions{})
	if !errors.Is(err, ErrLoginRequired) || !errors.Is(err, &Error{Code: CodeInvalidGrant}) {
		t.Fatalf("err = %v, want login_required wrapping invalid_grant", err)
	}
	if e.stored(t) != nil {
		t.Fatal("tokens kept after invalid_grant")
	}
	// No loop: the next call fails at once without a request.
	before := p.counts["refresh_token"].Load()
	if _, err := e.c.Token(context.Background(), TokenOptions{}); !errors.Is(err, ErrLoginRequired) {
		t.Fatal(err)
	}
	if p.counts["refresh_token"].Load() != before {
		t.Fatal("a request was made after the session ended")
	}
	if got := e.events.types(); got[len(got)-1] != EventLoginRequired {
		t.Fatalf("events = %v", got)
	}
}

func TestRefreshTransientFailuresKeepRefreshToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(w http.ResponseWriter)
	}{
		{"503", func(w http.ResponseWriter) { w.WriteHeader(503) }},
		{"500 HTML", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			w.Write([]byte("<h1>oops</h1>"))
		}},
		{"429", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "2"); w.WriteHeader(429) }},
		{"connection dropped", func(w http.ResponseWriter) {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, p, h := loggedIn(t, true)
			e.clock.Add(2 * time.Hour)
			p.set(func(w http.ResponseWriter, _ url.Values) { tc.fault(w) })
			_, err := e.c.Token(context.Background(), TokenOptions{})
			if !errors.Is(err, ErrNetwork) {
				t.Fatalf("err = %v, want network_error", err)
			}
			if n := p.counts["refresh_token"].Load(); n != refreshAttempts {
				t.Fatalf("%d attempts, want %d", n, refreshAttempts)
			}
			if ts := e.stored(t); ts == nil || ts.RefreshToken != "rt-1" {
				t.Fatalf("refresh token lost: %+v", ts)
			}
			p.set(h.serve(t))
			if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
				t.Fatalf("after recovery: %v", err)
			}
		})
	}
}

func TestRefreshRetriesThenSucceeds(t *testing.T) {
	e, p, h := loggedIn(t, true)
	e.clock.Add(2 * time.Hour)
	failures := 2
	serve := h.serve(t)
	p.set(func(w http.ResponseWriter, f url.Values) {
		if failures > 0 {
			failures--
			w.WriteHeader(503)
			return
		}
		serve(w, f)
	})
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok == "at-1" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	if n := p.counts["refresh_token"].Load(); n != 3 {
		t.Fatalf("%d requests, want 2 failures + 1 success", n)
	}
	if n := e.sleeps.Load(); n != 2 {
		t.Fatalf("%d backoff sleeps, want 2", n)
	}
}

// The provider rotated, but its answer was lost: the retry presents the
// used token, the rotating provider refuses it, and the session ends.
func TestNetworkFailureAfterRotation(t *testing.T) {
	e, p, h := loggedIn(t, true)
	e.clock.Add(2 * time.Hour)
	serve := h.serve(t)
	first := true
	p.set(func(w http.ResponseWriter, f url.Values) {
		if first {
			first = false
			serve(httptestRecorder(), f) // the provider rotates...
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close() // ...and the answer is lost
			return
		}
		serve(w, f)
	})
	_, err := e.c.Token(context.Background(), TokenOptions{})
	if !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want login_required", err)
	}
	if n := p.counts["refresh_token"].Load(); n != 2 {
		t.Fatalf("%d requests, want 2 (one retry)", n)
	}
}

// Another holder of the token storage (another tab) rotated the refresh
// token between our read and the provider's answer: use its newer one.
func TestRotationRaceRecovery(t *testing.T) {
	e, p, h := loggedIn(t, true)
	e.clock.Add(2 * time.Hour)
	serve := h.serve(t)
	raced := false
	p.set(func(w http.ResponseWriter, f url.Values) {
		if !raced {
			raced = true
			// The other tab refreshes first and stores its result.
			rec := httptestRecorder()
			serve(rec, f)
			var resp map[string]any
			json.Unmarshal(rec.Body.Bytes(), &resp)
			ts := e.stored(t)
			ts.AccessToken, ts.RefreshToken = resp["access_token"].(string), resp["refresh_token"].(string)
			ts.ExpiresAt = e.clock.Now().Add(-time.Second).UnixMilli() // and it is stale again already
			b, _ := json.Marshal(ts)
			e.tokens.Set(e.c.tokensKey(), string(b))
			writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
			return
		}
		serve(w, f)
	})
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil {
		t.Fatalf("Token: %v (the session should survive the race)", err)
	}
	if ts := e.stored(t); ts.AccessToken != tok || ts.RefreshToken == "rt-1" {
		t.Fatalf("stored %+v", ts)
	}
}

// A second holder of the same storage and lock finds the tokens already
// refreshed when it gets the lock, and sends nothing.
func TestSharedStorageRefreshesOnce(t *testing.T) {
	e, p, _ := loggedIn(t, true)
	other, err := NewClient(e.c.cfg, Options{
		Transport: httpTransport{}, LoginStorage: NewMemoryStorage(), TokenStorage: e.tokens,
		Locker: e.c.opts.Locker, Now: e.clock.Now, Rand: &seqReader{}, SHA256: testSHA256,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(2 * time.Hour)
	var wg sync.WaitGroup
	toks := make([]string, 20)
	errs := make([]error, 20)
	for i := range 20 {
		c := e.c
		if i%2 == 1 {
			c = other
		}
		wg.Go(func() { toks[i], errs[i] = c.Token(context.Background(), TokenOptions{}) })
	}
	wg.Wait()
	for i := range 20 {
		if errs[i] != nil || toks[i] != toks[0] {
			t.Fatalf("caller %d: %q %v", i, toks[i], errs[i])
		}
	}
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("%d refreshes across two clients, want 1", n)
	}
}

func TestClockOffByAnHour(t *testing.T) {
	e, p, _ := loggedIn(t, false)
	// The device clock was an hour slow at receipt and still is: expiry is
	// receipt + expires_in on the same clock, so the token is fresh.
	if ts := e.stored(t); ts.Expiry().Sub(e.clock.Now()) != time.Hour {
		t.Fatalf("expiry %v not receipt + expires_in", ts.Expiry())
	}
	e.clock.Add(30 * time.Minute)
	if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil || p.counts["refresh_token"].Load() != 0 {
		t.Fatalf("fresh token refreshed: %v", err)
	}
}

func TestRefreshTokenLifetime(t *testing.T) {
	e, p, _ := loggedInWith(t, false, func(cfg *Config) {
		cfg.RefreshTokenLifetime = LifetimeAzureB2CSPA
	})
	info, _ := e.c.Session()
	if info.RefreshTokenExpiresAt != e.clock.Now().Add(24*time.Hour).UnixMilli() {
		t.Fatalf("refresh expiry = %v", info.RefreshTokenExpiresAt)
	}
	e.clock.Add(22 * time.Hour) // within a tenth of the lifetime
	if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(e.events.types(), EventRefreshTokenExpiring) {
		t.Fatalf("no expiring event: %v", e.events.types())
	}
	// Fixed, not sliding: refreshing did not extend it.
	e.clock.Add(2*time.Hour + time.Second)
	before := p.counts["refresh_token"].Load()
	_, err := e.c.Token(context.Background(), TokenOptions{})
	if !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want login_required", err)
	}
	if p.counts["refresh_token"].Load() != before {
		t.Fatal("an expired refresh token was sent")
	}
	if e.stored(t) != nil {
		t.Fatal("expired session kept")
	}
}

func TestRefreshWithAnotherSubjectIsRefused(t *testing.T) {
	e, p, _ := loggedInWith(t, false, withOpenID)
	e.clock.Add(2 * time.Hour)
	p.set(func(w http.ResponseWriter, _ url.Values) {
		writeJSON(w, 200, map[string]any{
			"access_token": "at-x", "token_type": "Bearer", "expires_in": 3600,
			"id_token": idToken(t, map[string]any{"sub": "someone-else"}),
		})
	})
	if _, err := e.c.Token(context.Background(), TokenOptions{}); code(err) != CodeLoginRequired || FailedCheck(err) != CheckSub {
		t.Fatalf("err = %v, want login_required from the sub check", err)
	}
	if e.stored(t) != nil {
		t.Fatal("session kept after a subject change")
	}
}

func TestCorruptStoredTokens(t *testing.T) {
	e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
	for _, raw := range []string{"{", `{"v":1}`, `[]`, `{"v":2,"access_token":"a","expires_at":1}`} {
		e.tokens.Set(e.c.tokensKey(), raw)
		if _, err := e.c.Token(context.Background(), TokenOptions{}); !errors.Is(err, ErrLoginRequired) {
			t.Fatalf("%s: err = %v", raw, err)
		}
		if e.stored(t) != nil {
			t.Fatalf("%s: corrupt tokens kept", raw)
		}
	}
}

func TestUseIDTokenAndForceRefresh(t *testing.T) {
	e, p, _ := loggedInWith(t, false, func(cfg *Config) {
		withOpenID(cfg)
		cfg.UseIDToken = true
	})
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok != e.stored(t).IDToken {
		t.Fatalf("Token = %q, %v; want the ID token", tok, err)
	}
	if _, err := e.c.Token(context.Background(), TokenOptions{ForceRefresh: true}); err != nil {
		t.Fatal(err)
	}
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("force refresh made %d requests", n)
	}
}

func TestLogoutURLs(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(c *Config)
		want string
	}{
		{"cognito", func(c *Config) { c.LogoutEndpoint = "https://auth.example.com/logout" },
			"https://auth.example.com/logout?client_id=client-1&logout_uri=https%3A%2F%2Fapp.example.com%2F"},
		{"oidc", func(c *Config) {
			c.EndSessionEndpoint = "https://idp.example.com/logout?p=B2C_1A"
			c.PostLogoutRedirectURI = "https://app.example.com/bye"
		}, "https://idp.example.com/logout?p=B2C_1A&client_id=client-1&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye"},
		{"none", func(c *Config) {}, "https://app.example.com/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, _ := loggedInWith(t, false, tc.cfg)
			res, err := e.c.Logout(context.Background())
			got := res.URL
			if err != nil || got != tc.want {
				t.Fatalf("Logout = %q, %v\nwant %q", got, err, tc.want)
			}
			if e.stored(t) != nil {
				t.Fatal("tokens kept after logout")
			}
			if evs := e.events.types(); evs[len(evs)-1] != EventLoggedOut {
				t.Fatalf("events = %v", evs)
			}
		})
	}
}

// Within the margin but not expired, a transient failure serves the still
// valid token; a forced refresh reports the failure instead.
func TestTransientFailureWithinMargin(t *testing.T) {
	e, p, _ := loggedIn(t, false)
	e.clock.Add(59*time.Minute + 30*time.Second) // 30 s left, margin 60 s
	p.set(func(w http.ResponseWriter, _ url.Values) { w.WriteHeader(502) })
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok != "at-1" {
		t.Fatalf("Token = %q, %v; want the still-valid at-1", tok, err)
	}
	if _, err := e.c.Token(context.Background(), TokenOptions{ForceRefresh: true}); !errors.Is(err, ErrNetwork) {
		t.Fatalf("forced refresh: %v, want network_error", err)
	}
	if ts := e.stored(t); ts == nil || ts.RefreshToken != "rt-1" {
		t.Fatal("refresh token lost")
	}
}

func TestForgetRefreshToken(t *testing.T) {
	e, p, _ := loggedIn(t, true)
	if err := e.c.ForgetRefreshToken(); err != nil {
		t.Fatal(err)
	}
	ts := e.stored(t)
	if ts == nil || ts.RefreshToken != "" || ts.AccessToken != "at-1" {
		t.Fatalf("stored %+v: want the access token kept and the refresh token gone", ts)
	}
	if tok, err := e.c.Token(context.Background(), TokenOptions{}); err != nil || tok != "at-1" {
		t.Fatalf("fresh token not served: %v", err)
	}
	e.clock.Add(2 * time.Hour)
	if _, err := e.c.Token(context.Background(), TokenOptions{}); !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want login_required", err)
	}
	if n := p.counts["refresh_token"].Load(); n != 0 {
		t.Fatalf("%d refresh requests without a refresh token", n)
	}
}

// The expiring event is scheduled at login for when the window opens, and
// fires once per login even across rotations.
func TestRefreshTokenExpiringTimer(t *testing.T) {
	e, _, _ := loggedInWith(t, true, func(cfg *Config) {
		cfg.RefreshTokenLifetime = LifetimeAzureB2CSPA
	})
	if len(e.timers.d) != 1 || e.timers.d[0] != 24*time.Hour-24*time.Hour/10 {
		t.Fatalf("timers %v, want one at 21.6 h", e.timers.d)
	}
	e.clock.Add(e.timers.d[0])
	e.timers.f[0]()
	evs := e.events.types()
	if evs[len(evs)-1] != EventRefreshTokenExpiring {
		t.Fatalf("events %v", evs)
	}
	// A rotation in the window does not announce it again.
	if _, err := e.c.Token(context.Background(), TokenOptions{ForceRefresh: true}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range e.events.types() {
		if ev == EventRefreshTokenExpiring {
			n++
		}
	}
	if n != 1 || len(e.timers.d) != 1 {
		t.Fatalf("%d expiring events, %d timers; want 1 and 1", n, len(e.timers.d))
	}
}
