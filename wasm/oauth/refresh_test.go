package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
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
		p.setRequest(func(w http.ResponseWriter, r *http.Request) {
			<-release // hold the refresh until every caller is waiting
			h(w, r)
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

// A session whose stored ID token does not decode (one with a repeated
// claim name, which jsonv refuses) cannot have a refreshed ID token compared with it (OpenID
// Connect Core §12.2): the refreshed one is refused, not checked alone,
// which would let a token for another subject replace the session's.
func TestRefreshAfterUnreadableStoredIDToken(t *testing.T) {
	e, p, _ := loggedInWith(t, false, withOpenID)
	ts := e.stored(t)
	parts := strings.Split(ts.IDToken, ".")
	dup := `{"iss":"https://idp.example.com","sub":"user-1","sub":"user-1","aud":"client-1","iat":1,"exp":2}`
	ts.IDToken = parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(dup)) + "." + parts[2]
	e.tokens.Set(e.c.tokensKey(), string(encodeTokens(ts)))
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
	if got := e.stored(t); got != nil {
		t.Fatalf("session kept with ID token %q", got.IDToken)
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

// With useToken id_token the API receives the ID token: a 401
// invalid_token for it forces one refresh (this provider's refresh answer
// keeps the ID token, so the retry carries the stored one).
func TestUseIDTokenAPIRetryRefreshes(t *testing.T) {
	e, p, _ := loggedInWith(t, false, func(cfg *Config) {
		withOpenID(cfg)
		cfg.UseIDToken = true
	})
	ctx := context.Background()
	first, err := e.c.APIHeaders(ctx, "GET", "https://app.example.com/api", "", nil)
	if err != nil || first.Authorization != "Bearer "+e.stored(t).IDToken {
		t.Fatalf("first attempt: %+v, %v; want the ID token", first, err)
	}
	retry, err := e.c.APIHeaders(ctx, "GET", "https://app.example.com/api", "", &APIRetry{Authorization: first.Authorization, Challenge: `Bearer error="invalid_token"`})
	if err != nil || retry == nil || retry.Authorization != "Bearer "+e.stored(t).IDToken {
		t.Fatalf("retry: %+v, %v; want the session's ID token", retry, err)
	}
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
}
