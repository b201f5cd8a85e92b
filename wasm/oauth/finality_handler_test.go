package oauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// With a token handler, a refresh answer that lands after logout's
// clearing cookie sets the cookie again; the refresh, finding the session
// ended, calls the handler's logout again, so that no cookie and no live
// refresh token outlive the logout. Every request names the session's
// grant, which the handler binds its cookie to.
func TestHandlerLogoutIsFinalAgainstARefreshInFlight(t *testing.T) {
	shortLockWait(t)
	e := newHandlerEnv(t, true)
	e.login(t)
	ts, _ := e.stored(t)
	if ts.Grant == "" {
		t.Fatal("no grant id stored")
	}
	arrived, release := make(chan struct{}), make(chan struct{})
	serve := e.th.serve(t)
	e.p.set(func(w http.ResponseWriter, form url.Values) {
		if tok := form.Get("token"); tok != "" {
			e.th.mu.Lock()
			delete(e.th.valid, tok)
			e.th.mu.Unlock()
			return
		}
		if form.Get("grant_type") == "refresh_token" {
			// Answered by the provider, held in transit.
			rec := httptestRecorder()
			serve(rec, form)
			close(arrived)
			<-release
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		serve(w, form)
	})
	e.clock.Add(2 * time.Hour)
	done := make(chan error, 1)
	go func() { _, err := e.c.Token(context.Background(), TokenOptions{}); done <- err }()
	<-arrived
	// The refresh holds the lock: logout goes ahead after the bounded wait.
	if _, err := e.c.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; code(err) != CodeLoginRequired {
		t.Fatalf("refresh in flight: %v", err)
	}
	e.th.mu.Lock()
	live := len(e.th.valid)
	e.th.mu.Unlock()
	app, _ := url.Parse(e.page.origin)
	if live != 0 || len(e.page.jar.Cookies(app)) != 0 {
		t.Fatalf("after logout: %d live refresh tokens, cookies %v", live, e.page.jar.Cookies(app))
	}
	if s, _ := e.c.Session(); s.LoggedIn {
		t.Fatal("the session came back")
	}
	e.page.mu.Lock()
	defer e.page.mu.Unlock()
	for _, r := range e.page.reqs {
		if r.URL == "/oauth/token" && !strings.Contains(string(r.Body), protocol.GrantParam+"="+ts.Grant) {
			t.Fatalf("a token request without the grant: %s", r.Body)
		}
	}
}
