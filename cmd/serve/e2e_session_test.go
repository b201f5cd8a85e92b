package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// The refresh margin, one exchange per code across duplicated tabs, and
// revocation on logout, in the browser.

// A 6-second access token under the default 60 s margin, shared by two
// tabs: cached calls make no request; once stale, two tabs each calling
// getToken 10 times make exactly one refresh; then it is cached again.
func testShortTokenTwoTabs(t *testing.T) {
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating, accessTTL: 6 * time.Second, storage: "local"})
	tab1 := e.browser
	e.login(tab1, "/", "sam")
	ts := e.tokens(tab1, "indexedDB")
	old := ts["access_token"].(string)
	staleAt := time.UnixMilli(int64(ts["expires_at"].(float64)) - 3000) // half of the 6 s
	if lt, _ := ts["lifetime"].(float64); lt != 6000 {
		t.Fatalf("stored lifetime %v ms, want 6000", ts["lifetime"])
	}
	// Cached: 10 calls on the token just received make no request.
	cached := eval[[]string](e, tab1, `Promise.all(Array.from({length: 10}, () => gopkce.getToken()))`)
	if time.Now().After(staleAt) {
		t.Fatal("the cached calls ended after half the token's life: the machine is too slow for this test")
	}
	for _, tok := range cached {
		if tok != old {
			t.Fatal("a fresh token was not served as it was")
		}
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 0 {
		t.Fatalf("%d refresh requests for 10 cached calls on a 6 s token, want 0", n)
	}
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	e.waitLoggedIn(tab2)
	calls := func(n int) [][]string { return e.getTokenInTabs(n, tab1, tab2) }
	time.Sleep(time.Until(staleAt) + 300*time.Millisecond)
	results := calls(10)
	for i, r := range results {
		for _, tok := range r {
			if tok != results[0][0] || tok == old {
				t.Fatalf("tab %d got a different or stale token", i+1)
			}
		}
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests from two tabs on a stale 6 s token, want 1", n)
	}
	for _, r := range calls(5) {
		for _, tok := range r {
			if tok != results[0][0] {
				t.Fatal("the refreshed token was not served as it was")
			}
		}
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests after cached calls on the new token, want 1", n)
	}
}

// A duplicated tab (sessionStorage copied, so the pending login too)
// loads the callback URL the original already used: the code is exchanged
// once, and the duplicate says why it refused.
func testDuplicatedTabCallback(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	tab1 := e.browser
	e.open(tab1, "/")
	authURL, _ := e.startLoginURL(tab1, "/")
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	copied, _ := json.Marshal(e.storage(tab1, "sessionStorage"))
	eval[chromedp.Void](e, tab2, `(() => { const s = `+string(copied)+`; for (const k in s) sessionStorage.setItem(k, s[k]); })()`)

	e.providerLogin(tab1, authURL, "pat")
	e.waitLoggedIn(tab1)
	callback := eval[string](e, tab1, `performance.getEntriesByType("navigation")[0].name`)
	if !strings.Contains(callback, "/callback?") || !strings.Contains(callback, "code=") {
		t.Fatalf("navigation entry %q is not the callback", callback)
	}
	e.open(tab2, strings.TrimPrefix(callback, e.site))
	e.wantError(tab2, "no_pending_login")
	if msg := e.text(tab2, "#error-message"); !strings.Contains(msg, "another tab") {
		t.Fatalf("the duplicate's message %q does not say another tab used the code", msg)
	}
	if n := e.idp.TokenRequests("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges from two tabs, want 1", n)
	}
	if e.tokens(tab1, "sessionStorage") == nil {
		t.Fatal("the original lost its session")
	}
}
