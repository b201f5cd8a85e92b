package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims of any JSON type are compared without panicking: a non-string
// iss or sub is invalid_id_token, on refresh and at login.
func TestIDTokenClaimsOfAnyType(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claims jwt.MapClaims
	}{
		{"object sub", jwt.MapClaims{"iss": "https://idp.example.com", "sub": map[string]any{"id": 1}}},
		{"array iss", jwt.MapClaims{"iss": []any{"https://idp.example.com"}, "sub": "user-1"}},
		{"number sub", jwt.MapClaims{"iss": "https://idp.example.com", "sub": 42}},
		{"bool iss", jwt.MapClaims{"iss": true, "sub": "user-1"}},
		{"nested arrays", jwt.MapClaims{"iss": []any{[]any{1}}, "sub": []any{map[string]any{}}}},
	} {
		t.Run("refresh/"+tc.name, func(t *testing.T) {
			e, p, _ := loggedIn(t, false)
			e.clock.Add(2 * time.Hour)
			p.set(func(w http.ResponseWriter, _ url.Values) {
				writeJSON(w, 200, map[string]any{"access_token": "at-x", "token_type": "Bearer", "expires_in": 3600, "id_token": idToken(t, tc.claims)})
			})
			_, err := e.c.Token(context.Background(), TokenOptions{})
			if !errors.Is(err, &Error{Code: CodeInvalidIDToken}) {
				t.Fatalf("err = %v, want invalid_id_token", err)
			}
		})
		t.Run("login/"+tc.name, func(t *testing.T) {
			p := newProvider(t)
			p.set(func(w http.ResponseWriter, _ url.Values) {
				writeJSON(w, 200, map[string]any{"access_token": "at-x", "token_type": "Bearer", "expires_in": 3600, "id_token": idToken(t, tc.claims)})
			})
			cfg := testConfig(p.srv.URL)
			withOpenID(&cfg)
			e := newEnv(t, cfg, httpTransport{})
			u, _ := e.c.StartLogin("/")
			au, _ := url.Parse(u)
			_, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?code=c&state="+url.QueryEscape(au.Query().Get("state")))
			if !errors.Is(err, &Error{Code: CodeInvalidIDToken}) {
				t.Fatalf("err = %v, want invalid_id_token", err)
			}
			if e.stored(t) != nil {
				t.Fatal("tokens stored")
			}
		})
	}
}

// recordingLocker counts acquisitions and releases. Like a Web Lock, whose
// callback's Promise must settle, it counts a release only when fn returns:
// a panic escaping fn would leave the lock held.
type recordingLocker struct {
	inner              *MemoryLocker
	acquired, released atomic.Int64
}

func (l *recordingLocker) WithLock(ctx context.Context, name string, fn func(context.Context) error) error {
	return l.inner.WithLock(ctx, name, func(ctx context.Context) error {
		l.acquired.Add(1)
		err := fn(ctx)
		l.released.Add(1)
		return err
	})
}

// A panic in the flight leader never leaves the session hanging: every
// waiter gets internal_error, the lock is released, and the next call can
// refresh again.
func TestFlightLeaderPanicReleasesEveryone(t *testing.T) {
	p := newProvider(t)
	h := newTokenHandler(false)
	p.set(h.serve(t))
	var explode atomic.Bool
	release := make(chan struct{})
	tr := TransportFunc(func(ctx context.Context, r *Request) (*Response, error) {
		if explode.Load() {
			<-release
			var m map[string]any
			m["boom"] = 1 // a runtime panic inside the refresh
		}
		return httpTransport{}.RoundTrip(ctx, r)
	})
	locker := &recordingLocker{inner: NewMemoryLocker()}
	e := &env{clock: newClock(), logins: NewMemoryStorage(), tokens: NewMemoryStorage(), events: &eventLog{}}
	c, err := NewClient(testConfig(p.srv.URL), Options{
		Transport: tr, LoginStorage: e.logins, TokenStorage: e.tokens, Locker: locker,
		Now: e.clock.Now, Rand: &seqReader{}, SHA256: testSHA256, OnEvent: e.events.add,
		AfterFunc:  func(time.Duration, func()) {},
		Signatures: rsaVerifier{}, Keys: StaticKeys{Set: testKeys()},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	e.login(t)
	a0, r0 := locker.acquired.Load(), locker.released.Load() // the callback's store takes the lock too
	e.clock.Add(2 * time.Hour)
	explode.Store(true)

	wait := flightBarrier(c)
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = c.Token(context.Background(), TokenOptions{}) })
	}
	wait(n)
	close(release)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("callers still waiting after the leader panicked")
	}
	for i, err := range errs {
		if code(err) != CodeInternalError {
			t.Fatalf("caller %d: %v, want internal_error", i, err)
		}
	}
	if a, r := locker.acquired.Load()-a0, locker.released.Load()-r0; a != 1 || r != 1 {
		t.Fatalf("lock acquired %d, released %d; want 1 and 1", a, r)
	}
	if ts := e.stored(t); ts == nil || ts.RefreshToken != "rt-1" {
		t.Fatalf("session lost by a panic: %+v", ts)
	}
	// The next call refreshes normally.
	explode.Store(false)
	if tok, err := c.Token(context.Background(), TokenOptions{}); err != nil || tok == "at-1" {
		t.Fatalf("after the panic: %q %v", tok, err)
	}
}

// A panic in the Locker itself (outside the refresh) still ends the flight.
func TestFlightEndsWhenTheLockerPanics(t *testing.T) {
	e, _, _ := loggedIn(t, false)
	e.clock.Add(2 * time.Hour)
	e.c.opts.Locker = panicLocker{}
	if _, err := e.c.Token(context.Background(), TokenOptions{}); code(err) != CodeInternalError {
		t.Fatalf("err = %v, want internal_error", err)
	}
	e.c.opts.Locker = NewMemoryLocker()
	if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
		t.Fatalf("after the panic: %v", err)
	}
}

type panicLocker struct{}

func (panicLocker) WithLock(context.Context, string, func(context.Context) error) error {
	panic("locker exploded")
}
