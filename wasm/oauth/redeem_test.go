package oauth

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Two tabs with copied sessionStorage (a duplicated tab) load the same
// callback URL: the code is exchanged once (RFC 6749 §4.1.2), whether the
// second tab comes later or at the same moment.
func TestDuplicatedTabsExchangeACodeOnce(t *testing.T) {
	for _, concurrent := range []bool{false, true} {
		p := newProvider(t)
		h := newTokenHandler(false)
		p.set(h.serve(t))
		cfg := testConfig(p.srv.URL)
		claims := NewMemoryRedeemer() // IndexedDB in the browser: shared by every tab
		a := newEnv(t, cfg, httpTransport{})
		a.c.opts.Redeemer = claims
		u, _ := a.c.StartLogin("/")
		au, _ := url.Parse(u)
		cb := cfg.RedirectURI + "?code=the-code&state=" + url.QueryEscape(au.Query().Get("state"))

		// "Duplicate tab" copies sessionStorage: the pending login too.
		b := newEnv(t, cfg, httpTransport{})
		b.c.opts.Redeemer = claims
		keys, _ := a.logins.Keys("")
		for _, k := range keys {
			v, _, _ := a.logins.Get(k)
			b.logins.Set(k, v)
		}

		errs := make([]error, 2)
		run := func(i int, e *env) { _, errs[i] = e.c.HandleCallback(context.Background(), cb) }
		if concurrent {
			var wg sync.WaitGroup
			wg.Go(func() { run(0, a) })
			wg.Go(func() { run(1, b) })
			wg.Wait()
		} else {
			run(0, a)
			run(1, b)
		}
		if n := p.counts["authorization_code"].Load(); n != 1 {
			t.Fatalf("concurrent=%v: the code was exchanged %d times", concurrent, n)
		}
		ok, refused := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case code(err) == CodeNoPendingLogin && strings.Contains(err.Error(), "another tab"):
				refused++
			default:
				t.Fatalf("concurrent=%v: %v", concurrent, err)
			}
		}
		if ok != 1 || refused != 1 {
			t.Fatalf("concurrent=%v: %d succeeded, %d refused", concurrent, ok, refused)
		}
	}
}

// A redemption that cannot be recorded stops the exchange (fail closed).
func TestRedeemFailureStopsTheExchange(t *testing.T) {
	tr := &stubTransport{answer: respond(200, "application/json", `{"access_token":"a","token_type":"Bearer"}`)}
	e := newEnv(t, testConfig("https://idp.example.com/token"), tr)
	e.c.opts.Redeemer = failingRedeemer{}
	u, _ := e.c.StartLogin("/")
	au, _ := url.Parse(u)
	_, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?code=c&state="+url.QueryEscape(au.Query().Get("state")))
	if code(err) != CodeStorageError || tr.count() != 0 {
		t.Fatalf("err = %v, %d exchanges", err, tr.count())
	}
}

type failingRedeemer struct{}

func (failingRedeemer) Redeem(context.Context, string) (bool, error) {
	return false, errString("IndexedDB: QuotaExceededError")
}

type errString string

func (e errString) Error() string { return string(e) }

// A redemption that never answers (a stalled IndexedDB that ignores its
// context) ends in storage_error after the time limit, with no exchange:
// handleCallback never waits forever.
func TestStalledRedeemTimesOut(t *testing.T) {
	defer func(d time.Duration) { redeemTimeout = d }(redeemTimeout)
	redeemTimeout = 50 * time.Millisecond
	tr := &stubTransport{answer: respond(200, "application/json", `{"access_token":"a","token_type":"Bearer"}`)}
	e := newEnv(t, testConfig("https://idp.example.com/token"), tr)
	stall := make(chan struct{})
	defer close(stall)
	e.c.opts.Redeemer = stalledRedeemer(stall)
	u, _ := e.c.StartLogin("/")
	au, _ := url.Parse(u)
	done := make(chan error, 1)
	go func() {
		_, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?code=c&state="+url.QueryEscape(au.Query().Get("state")))
		done <- err
	}()
	select {
	case err := <-done:
		if code(err) != CodeStorageError || tr.count() != 0 {
			t.Fatalf("err = %v, %d exchanges", err, tr.count())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("HandleCallback still waits for a stalled redemption")
	}
}

// stalledRedeemer never answers until its channel closes, and ignores ctx.
type stalledRedeemer chan struct{}

func (s stalledRedeemer) Redeem(context.Context, string) (bool, error) {
	<-s
	return false, nil
}
