package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// Tokens across tabs and over time.

// Two tabs sharing tokens (storage "local"), each calling getToken 10 times at once on
// an expired token, against a rotating provider: one refresh request (Web
// Locks serialise the tabs), the same token everywhere, the grant alive.
func testTwoTabsSingleFlight(t *testing.T) {
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating, accessTTL: 4 * time.Second, refreshMargin: 3 * time.Second, storage: "local"})
	tab1 := e.browser
	e.login(tab1, "/", "kim")
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	e.waitLoggedIn(tab2)
	if !eval[bool](e, tab2, `navigator.locks !== undefined`) {
		t.Fatal("this Chromium has no Web Locks")
	}
	old := e.tokens(tab1, "indexedDB")["access_token"]
	time.Sleep(2200 * time.Millisecond) // past half the 4 s lifetime, which caps the 3 s margin
	results := e.getTokenInTabs(10, tab1, tab2)
	for i := range 2 {
		for _, tok := range results[i] {
			if tok != results[0][0] || tok == old {
				t.Fatalf("tab %d got a different or stale token", i+1)
			}
		}
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests from two tabs, want 1", n)
	}
	rt := e.tokens(tab2, "indexedDB")["refresh_token"].(string)
	if !e.idp.RefreshTokenValid(rt) {
		t.Fatal("the grant was revoked: two tabs sent the same refresh token")
	}
	// The tab that did not refresh heard about it, with the new expiry.
	heard := `[...document.querySelectorAll('#events li[data-type="tokens_changed"]')].some(li => li.textContent.includes("from another tab") && li.textContent.includes("expires"))`
	if !eval[bool](e, tab1, heard) && !eval[bool](e, tab2, heard) {
		t.Fatal("no tab reported tokens_changed from the other tab")
	}
	if r := e.call(tab2, `gopkce.getToken({forceRefresh: true})`); r.Code != "" {
		t.Fatalf("session dead afterwards: %s", r.Code)
	}
}

// Logout in one tab: the other reports logged out within a second.
func testLogoutOtherTab(t *testing.T) {
	e := newE2E(t, e2eOptions{storage: "local"})
	tab1 := e.browser
	e.login(tab1, "/", "lee")
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	e.waitLoggedIn(tab2)
	e.do(tab1, chromedp.Click(chromedp.ID("logout")))
	ctx, cancel := context.WithTimeout(tab2, time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`!document.getElementById("logged-out").hidden && !!document.querySelector('#events li[data-type="logged_out"]')`,
		chromedp.WithPollingInterval(20*time.Millisecond)))
	if err != nil {
		t.Fatalf("the other tab did not report the logout within a second: %v", err)
	}
	if !eval[bool](e, tab2, `document.querySelector('#events li[data-type="logged_out"]').textContent.includes("from another tab")`) {
		t.Fatal("the event does not say it came from another tab")
	}
	if r := e.call(tab2, `gopkce.getToken()`); r.Code != "login_required" {
		t.Fatalf("other tab's getToken: %q", r.Code)
	}
}

// A refresh-token lifetime of a few seconds: getToken rejects with
// login_required without a token request.
func testRefreshTokenLifetime(t *testing.T) {
	e := newE2E(t, e2eOptions{accessTTL: 4 * time.Second, refreshMargin: 3 * time.Second, lifetime: "2"})
	ctx := e.browser
	e.login(ctx, "/", "mia")
	s := e.call(ctx, `gopkce.getSession()`)
	if r := string(s.OK); !strings.Contains(r, `"refreshTokenExpiresAt":`) {
		t.Fatalf("session %s has no refresh-token expiry", r)
	}
	time.Sleep(2100 * time.Millisecond)
	if r := e.call(ctx, `gopkce.getToken()`); r.Code != "login_required" {
		t.Fatalf("getToken: %q %s, want login_required", r.Code, r.Message)
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 0 {
		t.Fatalf("%d refresh requests with an expired refresh token", n)
	}
	if e.tokens(ctx, "sessionStorage") != nil {
		t.Fatal("expired session kept")
	}
}

// Two injected 503s then success: a token, and one counted success.
func testTransientRetry(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	e.Expect("status of 503")
	ctx := e.browser
	e.login(ctx, "/", "noor")
	e.idp.InjectFaults(devidp.Fault{Kind: devidp.FaultStatus503}, devidp.Fault{Kind: devidp.FaultStatus503})
	r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`)
	if r.Code != "" {
		t.Fatalf("getToken: %s %s", r.Code, r.Message)
	}
	if n, ok := e.idp.TokenRequests("refresh_token"), e.idp.TokenSuccesses("refresh_token"); n != 3 || ok != 1 {
		t.Fatalf("%d refresh requests, %d successes; want 3 and 1", n, ok)
	}
}

// A duplicated tab (the browser copied sessionStorage) against a rotating
// provider: the duplicate notices the live original, forgets its copy of
// the refresh token, and only the original refreshes; the grant survives.
func testDuplicatedTab(t *testing.T) {
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating, accessTTL: 8 * time.Second, refreshMargin: 3 * time.Second})
	tab1 := e.browser
	e.login(tab1, "/", "omar")
	stale := time.Now().Add(5200 * time.Millisecond) // fresh for 5 s
	copied := e.storage(tab1, "sessionStorage")
	if copied["gopkce:tab"] == "" {
		t.Fatal("no tab id in sessionStorage")
	}
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	// What "Duplicate tab" does: the same sessionStorage in a new tab.
	blob, _ := json.Marshal(copied)
	eval[chromedp.Void](e, tab2, `(() => { const s = `+string(blob)+`; for (const k in s) sessionStorage.setItem(k, s[k]); })()`)
	e.do(tab2, chromedp.Reload())
	e.waitLoggedIn(tab2)
	e.do(tab2, chromedp.Poll[chromedp.Void](`(() => { const k = Object.keys(sessionStorage).find(k => k.startsWith("gopkce:tokens:")); return k && !JSON.parse(sessionStorage[k]).refresh_token; })()`,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(5*time.Second)))
	if id := e.storage(tab2, "sessionStorage")["gopkce:tab"]; id == copied["gopkce:tab"] {
		t.Fatal("the duplicate kept the original's tab id")
	}
	if e.tokens(tab1, "sessionStorage")["refresh_token"] == nil {
		t.Fatal("the original lost its refresh token")
	}
	// The duplicate still serves its copied access token while it is fresh.
	if r := e.call(tab2, `gopkce.getToken()`); r.Code != "" {
		t.Fatalf("duplicate's fresh token: %s", r.Code)
	}
	time.Sleep(time.Until(stale))
	if r := e.call(tab1, `gopkce.getToken()`); r.Code != "" {
		t.Fatalf("original: %s %s", r.Code, r.Message)
	}
	if r := e.call(tab2, `gopkce.getToken()`); r.Code != "login_required" {
		t.Fatalf("duplicate: %q, want login_required", r.Code)
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests, want 1 (the original's)", n)
	}
	if !e.idp.RefreshTokenValid(e.tokens(tab1, "sessionStorage")["refresh_token"].(string)) {
		t.Fatal("the original's grant was revoked")
	}
}
