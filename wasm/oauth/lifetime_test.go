package oauth

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

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
