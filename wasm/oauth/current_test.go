package oauth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// pubLog records what the client publishes through Options.OnToken.
type pubLog struct {
	mu      sync.Mutex
	n       int
	token   string
	until   time.Time
	session Session // from Options.OnSession
}

func (l *pubLog) setSession(s Session) {
	l.mu.Lock()
	l.session = s
	l.mu.Unlock()
}

func (l *pubLog) set(token string, until time.Time) {
	l.mu.Lock()
	l.n++
	l.token, l.until = token, until
	l.mu.Unlock()
}

// servable is what a fast path would serve at now: the published token
// while now is before its deadline.
func (l *pubLog) servable(now time.Time) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.token != "" && now.Before(l.until) {
		return l.token
	}
	return ""
}

// agrees checks the invariant: whatever the fast path would serve now is
// what Token returns now without refreshing.
func (e *env) agrees(t *testing.T, p *provider, what string) {
	t.Helper()
	fast := e.pub.servable(e.clock.Now())
	if fast == "" {
		return
	}
	before := p.counts["refresh_token"].Load()
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok != fast || p.counts["refresh_token"].Load() != before {
		t.Fatalf("%s: the fast path would serve %q, Token returns %q, %v (refreshed: %v)", what, fast, tok, err, p.counts["refresh_token"].Load() != before)
	}
	e.pub.mu.Lock()
	published := e.pub.session
	e.pub.mu.Unlock()
	if s, err := e.c.Session(); err != nil || s != published || !s.LoggedIn {
		t.Fatalf("%s: the session published with the token is %+v, Session returns %+v, %v", what, published, s, err)
	}
}

func TestPublishedTokenFollowsTheSession(t *testing.T) {
	e, p, h := loggedIn(t, true)
	if got := e.pub.servable(e.clock.Now()); got != "at-1" {
		t.Fatalf("after login: published %q, want at-1", got)
	}
	ts := e.stored(t)
	if want := ts.Expiry().Add(-e.c.cfg.RefreshMargin); !e.pub.until.Equal(want) {
		t.Fatalf("deadline %v, want expiry minus margin %v", e.pub.until, want)
	}
	e.agrees(t, p, "after login")

	// The deadline is the client's own: just before it Token serves without
	// a request, at it Token refreshes.
	e.clock.Add(e.pub.until.Sub(e.clock.Now()) - time.Millisecond)
	e.agrees(t, p, "1 ms before the deadline")
	e.clock.Add(time.Millisecond)
	if got := e.pub.servable(e.clock.Now()); got != "" {
		t.Fatalf("served %q at its deadline", got)
	}
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok != "at-2" || p.counts["refresh_token"].Load() != 1 {
		t.Fatalf("at the deadline Token = %q, %v after %d refreshes; want a refresh to at-2", tok, err, p.counts["refresh_token"].Load())
	}
	if got := e.pub.servable(e.clock.Now()); got != "at-2" {
		t.Fatalf("after refresh: published %q", got)
	}
	e.agrees(t, p, "after refresh")

	// Another tab changed the session: withdrawn until Token reads again.
	e.c.Invalidate()
	if got := e.pub.servable(e.clock.Now()); got != "" {
		t.Fatalf("after Invalidate: published %q", got)
	}
	if tok, _ := e.c.Token(context.Background(), TokenOptions{}); e.pub.servable(e.clock.Now()) != tok {
		t.Fatal("a fresh read was not published again")
	}

	// Refused refresh token: the session is cleared and nothing is served.
	h.mu.Lock()
	clear(h.valid)
	h.mu.Unlock()
	if _, err := e.c.Token(context.Background(), TokenOptions{ForceRefresh: true}); !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v", err)
	}
	if got := e.pub.servable(e.clock.Now()); got != "" {
		t.Fatalf("after invalid_grant: published %q", got)
	}

	// A new login replaces it; logout withdraws it.
	e.login(t)
	e.agrees(t, p, "after a second login")
	if e.pub.servable(e.clock.Now()) == "" {
		t.Fatal("second login not published")
	}
	if _, err := e.c.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.pub.servable(e.clock.Now()); got != "" {
		t.Fatalf("after logout: published %q", got)
	}
}

// The refresh token past its configured lifetime: the access token is
// served until its own deadline, then the session ends; never later.
func TestPublishedTokenRefreshLifetime(t *testing.T) {
	e, p, _ := loggedInWith(t, false, func(c *Config) { c.RefreshTokenLifetime = 30 * time.Minute })
	e.clock.Add(31 * time.Minute)
	e.agrees(t, p, "refresh token expired, access token fresh")
	e.clock.Add(e.pub.until.Sub(e.clock.Now()))
	if _, err := e.c.Token(context.Background(), TokenOptions{}); !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v", err)
	}
	if got := e.pub.servable(e.clock.Now().Add(-time.Hour)); got != "" {
		t.Fatalf("after the session ended: published %q", got)
	}
}

func TestPublishedIDToken(t *testing.T) {
	e, p, _ := loggedInWith(t, false, func(c *Config) { withOpenID(c); c.UseIDToken = true })
	ts := e.stored(t)
	if got := e.pub.servable(e.clock.Now()); got == "" || got != ts.IDToken {
		t.Fatalf("published %q, want the ID token", got)
	}
	e.agrees(t, p, "useToken id_token")
}

// racyStorage withdraws the session (as a logout elsewhere would) while a
// read is under way.
type racyStorage struct {
	*MemoryStorage
	during func()
}

func (s *racyStorage) Get(key string) (string, bool, error) {
	v, ok, err := s.MemoryStorage.Get(key)
	if s.during != nil {
		s.during()
	}
	return v, ok, err
}

// A read that raced with a change is not published: a token read before a
// logout must not come back after it.
func TestPublishedReadRacingAChange(t *testing.T) {
	p := newProvider(t)
	p.set(newTokenHandler(false).serve(t))
	pub := &pubLog{}
	tokens := &racyStorage{MemoryStorage: NewMemoryStorage()}
	c, err := NewClient(testConfig(p.srv.URL), Options{Transport: httpTransport{}, Rand: &seqReader{}, SHA256: testSHA256, TokenStorage: tokens, OnToken: pub.set})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{c: c, logins: NewMemoryStorage(), tokens: tokens.MemoryStorage}
	c.opts.LoginStorage = e.logins
	e.login(t)
	c.Invalidate()
	tokens.during = c.Invalidate
	if _, err := c.Token(context.Background(), TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := pub.servable(time.Now()); got != "" {
		t.Fatalf("a read that raced with a change was published: %q", got)
	}
	tokens.during = nil
	if _, err := c.Token(context.Background(), TokenOptions{}); err != nil || pub.servable(time.Now()) == "" {
		t.Fatalf("a quiet read was not published: %v", err)
	}
}
