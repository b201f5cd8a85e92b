package oauth

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Logout and login are final against a refresh in flight (grant.go): two
// clients share one token storage and one lock, as two tabs with
// storage: "local" do; one tab's refresh answer is held in transit while
// the other logs out or logs in.

// tabs is a rotating fake provider with a revocation endpoint, whose
// refresh answers can be held, and two clients (tabs) on one storage.
type tabs struct {
	p       *provider
	h       *tokenHandler
	a, b    *env
	arrived chan struct{} // a refresh reached the provider
	release chan struct{} // let the held refresh answer
	mu      sync.Mutex
	revoked []string
	hold    bool
}

func newTabs(t *testing.T, revocation bool) *tabs {
	tb := &tabs{p: newProvider(t), h: newTokenHandler(true), arrived: make(chan struct{}, 8), release: make(chan struct{})}
	serve := tb.h.serve(t)
	tb.p.setRequest(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/revoke" {
			tb.mu.Lock()
			tb.revoked = append(tb.revoked, r.PostForm.Get("token"))
			tb.mu.Unlock()
			tb.h.mu.Lock()
			delete(tb.h.valid, r.PostForm.Get("token"))
			tb.h.mu.Unlock()
			w.WriteHeader(200)
			return
		}
		tb.mu.Lock()
		hold := tb.hold && r.PostForm.Get("grant_type") == "refresh_token"
		tb.mu.Unlock()
		if hold {
			tb.arrived <- struct{}{}
			<-tb.release
		}
		serve(w, r.PostForm)
	})
	cfg := testConfig(tb.p.srv.URL)
	if revocation {
		cfg.RevocationEndpoint = tb.p.srv.URL + "/revoke"
	}
	tokens, locker, clock := NewMemoryStorage(), NewMemoryLocker(), newClock()
	tab := func() *env {
		e := &env{clock: clock, logins: NewMemoryStorage(), tokens: tokens, events: &eventLog{}}
		e.c = tabClient(t, cfg, e, tokens, locker)
		return e
	}
	tb.a, tb.b = tab(), tab()
	tb.h.nonce = func() string { n, _ := tb.a.nonce.Load().(string); return n }
	return tb
}

// tabClient is the client of tab e over tokens (its own storage, or one
// that wraps it), with the options every tab of newTabs has.
func tabClient(t *testing.T, cfg Config, e *env, tokens Storage, locker Locker) *Client {
	t.Helper()
	c, err := NewClient(cfg, Options{
		Transport: httpTransport{}, LoginStorage: e.logins, TokenStorage: tokens, Locker: locker,
		Now: e.clock.Now, Rand: randReader{}, SHA256: testSHA256, OnEvent: e.events.add,
		AfterFunc: func(time.Duration, func()) {}, Signatures: rsaVerifier{}, Keys: StaticKeys{Set: testKeys()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// randReader is crypto-random: two tabs must not mint the same grant id.
type randReader struct{}

func (randReader) Read(p []byte) (int, error) { return rand.Read(p) }

// holdRefreshes makes the next refreshes wait at the provider for release.
func (tb *tabs) holdRefreshes() {
	tb.mu.Lock()
	tb.hold = true
	tb.mu.Unlock()
}

func (tb *tabs) wasRevoked(rt string) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, r := range tb.revoked {
		if r == rt {
			return true
		}
	}
	return false
}

// refreshInFlight starts tab a's refresh of its expired token and returns
// once the request is at the provider, with a channel for its outcome.
func (tb *tabs) refreshInFlight(t *testing.T) <-chan error {
	tb.a.clock.Add(2 * time.Hour)
	tb.holdRefreshes()
	done := make(chan error, 1)
	go func() {
		_, err := tb.a.c.Token(context.Background(), TokenOptions{})
		done <- err
	}()
	select {
	case <-tb.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the refresh never reached the provider")
	}
	return done
}

func shortLockWait(t *testing.T) {
	old := sessionLockWait
	sessionLockWait = 50 * time.Millisecond
	t.Cleanup(func() { sessionLockWait = old })
}

// Tab b logs out while tab a's refresh is in transit: b reads logged out at
// once, and a's answer, whenever it lands, never brings the session back.
func TestLogoutIsFinalAgainstARefreshInFlight(t *testing.T) {
	for _, tc := range []struct {
		name       string
		revocation bool
		stuck      bool // the refresh holds the lock past SessionLockWait
	}{
		{"lock ordered, revocation", true, false},
		{"lock ordered, no revocation", false, false},
		{"lock wait exceeded, revocation", true, true},
		{"lock wait exceeded, no revocation", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.stuck {
				shortLockWait(t)
			}
			tb := newTabs(t, tc.revocation)
			tb.a.login(t)
			done := tb.refreshInFlight(t)

			out := make(chan *LogoutResult, 1)
			go func() {
				res, _ := tb.b.c.Logout(context.Background())
				out <- res
			}()
			// The local removal does not wait for the lock.
			waitFor(t, func() bool { s, _ := tb.b.c.Session(); return !s.LoggedIn })
			if tc.stuck {
				<-out // logout finished without the lock
			}
			close(tb.release)
			if err := <-done; code(err) != CodeLoginRequired {
				t.Fatalf("the refresh in flight: %v, want login_required", err)
			}
			res := <-chanOr(out, tc.stuck)
			for _, tab := range []*env{tb.a, tb.b} {
				if s, _ := tab.c.Session(); s.LoggedIn {
					t.Fatal("the session came back after logout")
				}
				if _, err := tab.c.Token(context.Background(), TokenOptions{ForceRefresh: true}); code(err) != CodeLoginRequired {
					t.Fatalf("forced refresh after logout: %v", err)
				}
			}
			if tc.revocation {
				// No refresh token is left alive at the provider: the one
				// logout saw is revoked, and so is the one the discarded
				// answer rotated to, when it was issued.
				tb.h.mu.Lock()
				live := len(tb.h.valid)
				tb.h.mu.Unlock()
				if !tb.wasRevoked("rt-1") || live != 0 || res == nil {
					t.Fatalf("revoked %v, %d refresh tokens still valid", tb.revoked, live)
				}
			}
		})
	}
}

// chanOr returns ch, or a closed-over channel that repeats nil when the
// value was already taken.
func chanOr(ch chan *LogoutResult, taken bool) <-chan *LogoutResult {
	if taken {
		c := make(chan *LogoutResult, 1)
		c <- &LogoutResult{}
		return c
	}
	return ch
}

// A refresh that checked the stored set just before logout removed it
// stores its result; logout's step under the lock removes it again and
// revokes the newest refresh token.
func TestLogoutRemovesWhatARacingRefreshStored(t *testing.T) {
	tb := newTabs(t, true)
	hooked := &hookStorage{Storage: tb.a.tokens}
	tb.a.c = tabClient(t, tb.a.c.cfg, tb.a, hooked, tb.a.c.opts.Locker)
	tb.a.login(t)
	done := tb.refreshInFlight(t)
	logout := make(chan *LogoutResult, 1)
	// The refresh's check reads the set; logout removes it right after.
	hooked.arm(func() {
		go func() {
			res, _ := tb.b.c.Logout(context.Background())
			logout <- res
		}()
		waitFor(t, func() bool { _, ok, _ := tb.b.tokens.Get(tb.b.c.tokensKey()); return !ok })
	})
	close(tb.release)
	<-done
	<-logout
	if s, _ := tb.b.c.Session(); s.LoggedIn {
		t.Fatal("the session came back after logout")
	}
	if !tb.wasRevoked("rt-2") {
		t.Fatalf("the stored rotated refresh token was not revoked: %v", tb.revoked)
	}
}

// hookStorage runs a one-shot hook after the next Get.
type hookStorage struct {
	Storage
	mu   sync.Mutex
	hook func()
}

func (s *hookStorage) arm(f func()) { s.mu.Lock(); s.hook = f; s.mu.Unlock() }

func (s *hookStorage) Get(key string) (string, bool, error) {
	v, ok, err := s.Storage.Get(key)
	s.mu.Lock()
	f := s.hook
	s.hook = nil
	s.mu.Unlock()
	if f != nil {
		f()
	}
	return v, ok, err
}

// Tab b signs in as another user while tab a refreshes the previous
// grant: b's session is the one that stays, whatever the order.
func TestLoginIsFinalAgainstARefreshInFlight(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stuck  bool
		refuse bool // the provider refuses a's refresh (invalid_grant); b's login has no refresh token
	}{
		{"lock ordered", false, false},
		{"lock wait exceeded", true, false},
		{"lock wait exceeded, refresh refused", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.stuck {
				shortLockWait(t)
			}
			tb := newTabs(t, true)
			tb.a.login(t)
			first := tb.a.stored(t)
			if tc.refuse {
				tb.h.mu.Lock()
				tb.h.valid = map[string]bool{}
				tb.h.noRefresh = true
				tb.h.mu.Unlock()
			}
			done := tb.refreshInFlight(t)
			tb.h.nonce = func() string { n, _ := tb.b.nonce.Load().(string); return n }
			login := make(chan struct{})
			go func() { tb.b.login(t); close(login) }()
			if tc.stuck {
				<-login // stored without the lock
			}
			close(tb.release)
			<-done
			<-login
			now := tb.b.stored(t)
			if now == nil || now.Grant == first.Grant || now.Grant == "" {
				t.Fatalf("b's login was overwritten: %+v (first grant %q)", now, first.Grant)
			}
			tok, err := tb.a.c.Token(context.Background(), TokenOptions{})
			if err != nil || tok != now.AccessToken {
				t.Fatalf("tab a serves %q, %v; want b's session's %q", tok, err, now.AccessToken)
			}
		})
	}
}

// A storage that cannot be read when the refresh answer lands is not a
// logout: the rotated refresh token is stored, not dropped.
func TestRefreshStoresThroughAnUnreadableStorage(t *testing.T) {
	tb := newTabs(t, true)
	flaky := &flakyStorage{Storage: tb.a.tokens}
	tb.a.c = tabClient(t, tb.a.c.cfg, tb.a, flaky, tb.a.c.opts.Locker)
	tb.a.login(t)
	done := tb.refreshInFlight(t)
	flaky.failNext()
	close(tb.release)
	if err := <-done; err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if ts := tb.a.stored(t); ts == nil || ts.RefreshToken != "rt-2" || ts.Gen != 1 {
		t.Fatalf("stored %+v, want the rotated refresh token", ts)
	}
	if len(tb.revoked) != 0 {
		t.Fatalf("revoked %v", tb.revoked)
	}
}

type flakyStorage struct {
	Storage
	mu   sync.Mutex
	fail bool
}

func (s *flakyStorage) failNext() { s.mu.Lock(); s.fail = true; s.mu.Unlock() }

func (s *flakyStorage) Get(key string) (string, bool, error) {
	s.mu.Lock()
	fail := s.fail
	s.fail = false
	s.mu.Unlock()
	if fail {
		return "", false, errStorageDown
	}
	return s.Storage.Get(key)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition never held")
}

var errStorageDown = errors.New("storage unavailable")
