package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// A session that ends stays ended, in Chromium against the rotating
// development provider: a refresh answer is held in transit while a logout
// or a login happens, in another tab sharing the tokens (storage "local")
// or in the same tab (storage "session"); and logout revokes the refresh
// token in a tab with no cached discovery document.
func TestE2EFinality(t *testing.T) {
	for _, revocation := range []bool{true, false} {
		name := map[bool]string{true: "revocation", false: "no_revocation"}[revocation]
		t.Run("two_tabs_logout_"+name, func(t *testing.T) { testLogoutFinal(t, "local", revocation) })
		t.Run("one_tab_logout_"+name, func(t *testing.T) { testLogoutFinal(t, "session", revocation) })
	}
	t.Run("two_tabs_login", testLoginFinal)
	t.Run("logout_revokes_without_cached_document_two_tabs", func(t *testing.T) { testLogoutDiscovery(t, "local") })
	t.Run("logout_revokes_without_cached_document_one_tab", func(t *testing.T) { testLogoutDiscovery(t, "session") })
}

func withoutRevocation(cfg map[string]any) { delete(cfg, "revocationEndpoint") }

// liveRefreshTokens is how many of the refresh tokens the provider issued
// to the demo's client it still accepts.
func (e *e2e) liveRefreshTokens() int {
	e.tb.Helper()
	n := 0
	for _, rt := range e.idp.RefreshTokensOf(app.DevClientID) {
		if e.idp.RefreshTokenValid(rt) {
			n++
		}
	}
	return n
}

func testLogoutFinal(t *testing.T, storage string, revocation bool) {
	eo := e2eOptions{refreshMode: devidp.Rotating, storage: storage}
	if !revocation {
		eo.configHook = withoutRevocation
	}
	e := newE2E(t, eo)
	tabA := e.browser
	e.login(tabA, "/", "kim")
	tabB := tabA
	if storage == "local" {
		tabB = e.NewTab("tab2")
		e.open(tabB, "/")
		e.waitLoggedIn(tabB)
	}
	held := e.idp.HoldRefreshAnswer()
	eval[bool](e, tabA, `(window.__refresh = gopkce.getToken({forceRefresh: true}).then(() => "ok", (err) => err.code), true)`)
	select {
	case <-held.Arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the refresh never reached the provider")
	}
	eval[bool](e, tabB, `(window.__logout = gopkce.logout({navigate: false}).then(() => "ok", (err) => err.code), true)`)
	// The tab that logged out reads logged out at once, answer or not.
	if _, err := chromedp.Run(tabB, chromedp.Poll[bool](`gopkce.getSession().then((s) => !s.loggedIn)`, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		t.Fatalf("logout did not end the session at once: %v", err)
	}
	held.Release()
	if got := eval[string](e, tabA, `window.__refresh`); got != "login_required" {
		t.Fatalf("the refresh in flight ended with %q, want login_required", got)
	}
	if got := eval[string](e, tabB, `window.__logout`); got != "ok" {
		t.Fatalf("logout: %q", got)
	}
	for i, tab := range []context.Context{tabA, tabB} {
		if r := e.call(tab, `gopkce.getSession()`); !strings.Contains(string(r.OK), `"loggedIn":false`) {
			t.Fatalf("tab %d: the session came back: %s", i+1, r.OK)
		}
		if r := e.call(tab, `gopkce.getToken({forceRefresh: true})`); r.Code != "login_required" {
			t.Fatalf("tab %d: a forced refresh after logout: %q %s", i+1, r.Code, r.OK)
		}
	}
	e.open(tabA, "/")
	if r := e.call(tabA, `gopkce.getSession()`); !strings.Contains(string(r.OK), `"loggedIn":false`) {
		t.Fatalf("the session survived a reload: %s", r.OK)
	}
	if tok := e.tokens(tabA, map[string]string{"local": "indexedDB", "session": "sessionStorage"}[storage]); tok != nil {
		t.Fatalf("tokens stored after logout: %v", tok)
	}
	if live := e.liveRefreshTokens(); revocation && live != 0 {
		t.Fatalf("%d refresh tokens still valid at the provider after logout with revocation", live)
	}
}

func testLoginFinal(t *testing.T) {
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating, storage: "local"})
	tabA := e.browser
	e.login(tabA, "/", "first-user")
	first, _ := e.tokens(tabA, "indexedDB")["grant"].(string)
	if first == "" {
		t.Fatal("no grant id stored")
	}
	tabB := e.NewTab("tab2")
	e.open(tabB, "/")
	e.waitLoggedIn(tabB)
	held := e.idp.HoldRefreshAnswer()
	eval[bool](e, tabA, `(window.__refresh = gopkce.getToken({forceRefresh: true}).then((t) => t, (err) => err.code), true)`)
	<-held.Arrived
	// Tab b signs in as another user, without logging out, while a's
	// answer is in transit; the answer lands while b's callback runs.
	go func() { time.Sleep(time.Second); held.Release() }()
	eval[bool](e, tabB, `(gopkce.startLogin({returnTo: "/"}), true)`)
	e.do(tabB,
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "second-user"),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
	)
	e.waitLoggedIn(tabB)
	held.Release()
	eval[string](e, tabA, `window.__refresh`)
	stored := e.tokens(tabB, "indexedDB")
	if g, _ := stored["grant"].(string); g == "" || g == first {
		t.Fatalf("the previous grant's tokens overwrote the new login: grant %q (first %q)", g, first)
	}
	tok := e.call(tabA, `gopkce.getToken()`)
	if !strings.Contains(string(tok.OK), stored["access_token"].(string)) {
		t.Fatalf("tab a serves %s %q, not the new session's token", tok.OK, tok.Code)
	}
}

func testLogoutDiscovery(t *testing.T, storage string) {
	// The issuer alone: every endpoint, the revocation endpoint included,
	// comes from the discovery document.
	hook := func(cfg map[string]any) {
		for _, k := range []string{"authorizationEndpoint", "tokenEndpoint", "revocationEndpoint", "jwksUri", "logoutEndpoint", "endSessionEndpoint"} {
			delete(cfg, k)
		}
	}
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating, storage: storage, configHook: hook})
	tab := e.browser
	e.login(tab, "/", "dee")
	if storage == "local" {
		// A tab opened after login: its sessionStorage has no document.
		tab = e.NewTab("tab2")
		e.open(tab, "/")
		e.waitLoggedIn(tab)
	}
	// Drop the tab's cached document, as an hour's expiry does, and
	// reload: the page starts without it.
	eval[bool](e, tab, `(() => { for (const k of Object.keys(sessionStorage)) if (k.startsWith("gopkce:discovery:")) sessionStorage.removeItem(k); return true; })()`)
	e.open(tab, "/")
	e.waitLoggedIn(tab)
	before := e.idp.Revocations()
	if r := e.call(tab, `gopkce.logout({navigate: false})`); r.Code != "" {
		t.Fatalf("logout: %q", r.Code)
	}
	if n := e.idp.Revocations() - before; n != 1 {
		t.Fatalf("%d revocations at logout, want 1", n)
	}
	if live := e.liveRefreshTokens(); live != 0 {
		t.Fatalf("%d refresh tokens still valid after logout", live)
	}
}
