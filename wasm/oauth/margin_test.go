package oauth

import (
	"context"
	"testing"
	"time"
)

// A token whose lifetime is at most twice the margin is still cached: the
// margin never exceeds half the lifetime the token was issued with, so
// five calls in a row make one token request, not five.
func TestShortLivedTokenIsCached(t *testing.T) {
	p := newProvider(t)
	h := newTokenHandler(false)
	h.ttl = 6 // under the default 60 s margin
	p.set(h.serve(t))
	e := newEnv(t, testConfig(p.srv.URL), httpTransport{})
	e.login(t)
	if ts := e.stored(t); ts.Lifetime != 6000 {
		t.Fatalf("issued lifetime stored as %d ms, want 6000", ts.Lifetime)
	}
	for range 5 {
		if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(500 * time.Millisecond) // up to 2.5 s of the 6 s
	}
	if n := p.counts["refresh_token"].Load(); n != 0 {
		t.Fatalf("%d refreshes of a 6 s token within its first half, want 0", n)
	}
	e.clock.Add(600 * time.Millisecond) // 3.1 s: past half the lifetime
	if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("%d refreshes past half the lifetime, want 1", n)
	}
	// The refreshed token is served again without a request.
	for range 5 {
		e.c.Token(context.Background(), TokenOptions{})
	}
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("%d refreshes, want 1: the new 6 s token was not cached", n)
	}
}

// The effective margin is min(configured margin, lifetime/2), and
// refreshMarginSeconds: 0 means "only once expired", unlike an absent key.
func TestRefreshMarginRule(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ttl    int           // expires_in
		margin time.Duration // Config.RefreshMargin
		served time.Duration // still served this long after receipt
		stale  time.Duration // refreshed from this long after receipt
	}{
		{"1 h token, default margin", 3600, 0, 3600*time.Second - 60*time.Second - time.Millisecond, 3600*time.Second - 60*time.Second},
		{"90 s token, default margin", 90, 0, 45*time.Second - time.Millisecond, 45 * time.Second},
		{"6 s token, default margin", 6, 0, 3*time.Second - time.Millisecond, 3 * time.Second},
		{"6 s token, 1 s margin", 6, time.Second, 5*time.Second - time.Millisecond, 5 * time.Second},
		{"60 s token, no margin", 60, NoRefreshMargin, 60*time.Second - time.Millisecond, 60 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, at := range []time.Duration{tc.served, tc.stale} {
				e, p, _ := loggedInWith(t, false, func(c *Config) { c.RefreshMargin = tc.margin })
				ts := e.stored(t)
				ts.Lifetime = int64(tc.ttl) * 1000
				ts.ExpiresAt = e.clock.Now().Add(time.Duration(tc.ttl) * time.Second).UnixMilli()
				e.c.storeTokens(ts)
				e.clock.Add(at)
				if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
					t.Fatal(err)
				}
				want := int64(0)
				if at == tc.stale {
					want = 1
				}
				if n := p.counts["refresh_token"].Load(); n != want {
					t.Fatalf("at %v: %d refreshes, want %d", at, n, want)
				}
			}
		})
	}
	for _, tc := range []struct {
		json string
		want time.Duration
	}{
		{`{` + goodConfig + `}`, DefaultRefreshMargin},
		{`{` + goodConfig + `,"refreshMarginSeconds":null}`, DefaultRefreshMargin},
		{`{` + goodConfig + `,"refreshMarginSeconds":0}`, NoRefreshMargin},
		{`{` + goodConfig + `,"refreshMarginSeconds":5}`, 5 * time.Second},
	} {
		c, err := ParseConfig([]byte(tc.json))
		if err != nil || c.RefreshMargin != tc.want {
			t.Errorf("%s: margin %v (%v), want %v", tc.json, c.RefreshMargin, err, tc.want)
		}
	}
}

// A token set stored without its lifetime (0) has the configured margin.
func TestMarginWithoutStoredLifetime(t *testing.T) {
	e, p, _ := loggedIn(t, false)
	ts := e.stored(t)
	ts.Lifetime = 0
	ts.ExpiresAt = e.clock.Now().Add(90 * time.Second).UnixMilli()
	e.c.storeTokens(ts)
	e.clock.Add(31 * time.Second) // 59 s left: within the 60 s margin
	e.c.Token(context.Background(), TokenOptions{})
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
}
