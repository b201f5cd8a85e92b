package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// The loader's token fast path never serves a token that Go
// would not serve at that moment. Each case first shows the fast path
// serving (gopkce._stats counts its answers), then breaks it one way.

// fastResult is one getToken call and whether the fast path answered it.
type fastResult struct {
	Token string `json:"token"`
	Code  string `json:"code"`
	Fast  bool   `json:"fast"`
}

const fastCall = `(async () => {
	const before = gopkce._stats.fast;
	try { const token = await gopkce.getToken(); return { token, fast: gopkce._stats.fast > before }; }
	catch (e) { return { code: e.code, fast: gopkce._stats.fast > before }; }
})()`

func (e *e2e) fastToken(ctx context.Context) fastResult {
	e.tb.Helper()
	return eval[fastResult](e, ctx, fastCall)
}

// wantFast asserts that getToken is answered by the fast path.
func (e *e2e) wantFast(ctx context.Context, what string) string {
	e.tb.Helper()
	e.fastToken(ctx) // the first call after a change may go to Go, which publishes
	r := e.fastToken(ctx)
	if !r.Fast || r.Token == "" {
		e.tb.Fatalf("%s: getToken was not answered by the fast path: %+v", what, r)
	}
	return r.Token
}

// fastRecord is the record kept in sessionStorage for a reload.
func (e *e2e) fastRecord(ctx context.Context) map[string]any {
	raw := e.storage(ctx, "sessionStorage")["gopkce:fast"]
	if raw == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		e.tb.Fatalf("fast record: %v", err)
	}
	return m
}

// Expiry: the deadline is Go's (expiry minus the margin); at that instant
// the fast path stops and Go refreshes. The token lives 20 s so that the
// login and the first checks end well before the deadline even on a loaded
// machine under -race.
func testFastPathExpiry(t *testing.T) {
	e := newE2E(t, e2eOptions{accessTTL: 20 * time.Second, refreshMargin: 3 * time.Second})
	ctx := e.browser
	e.login(ctx, "/", "fay")
	old := e.wantFast(ctx, "after login")
	rec := e.fastRecord(ctx)
	ts := e.tokens(ctx, "sessionStorage")
	if rec == nil || int64(rec["u"].(float64)) != int64(ts["expires_at"].(float64))-3000 {
		t.Fatalf("record deadline %v, want the token's expiry %v minus the 3 s margin", rec["u"], ts["expires_at"])
	}
	r := eval[fastResult](e, ctx, `(async () => {
		const u = JSON.parse(sessionStorage.getItem("gopkce:fast")).u;
		await new Promise(r => setTimeout(r, u - Date.now() - 1000));
		return (`+fastCall+`);
	})()`)
	// A second before it: a window that a loaded machine's event loop
	// cannot overshoot (30 ms did, under -race on two busy cores).
	if !r.Fast || r.Token != old {
		t.Fatalf("a second before the deadline: %+v, want the same token from the fast path", r)
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 0 {
		t.Fatalf("%d refreshes before the deadline", n)
	}
	r = eval[fastResult](e, ctx, `(async () => {
		const u = JSON.parse(sessionStorage.getItem("gopkce:fast")).u;
		await new Promise(r => setTimeout(r, Math.max(0, u - Date.now() - 5)));
		while (Date.now() < u) {}
		return (`+fastCall+`);
	})()`)
	if r.Fast || r.Token == "" || r.Token == old {
		t.Fatalf("at the deadline: %+v, want a refreshed token from Go", r)
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refreshes at the deadline, want 1", n)
	}
	if got := e.wantFast(ctx, "after the refresh"); got != r.Token {
		t.Fatal("the fast path serves another token than the refreshed one")
	}
}

// Logout in another tab (shared tokens): by the time this tab hears of it,
// the fast path has stopped.
func testFastPathLogoutOtherTab(t *testing.T) {
	e := newE2E(t, e2eOptions{storage: "local"})
	tab1 := e.browser
	e.login(tab1, "/", "gus")
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	e.waitLoggedIn(tab2)
	e.wantFast(tab2, "tab2 before the logout")
	if e.fastRecord(tab2) != nil {
		t.Fatal("shared tokens left a record in sessionStorage")
	}
	eval[chromedp.Void](e, tab2, `void (window.heard = new Promise(res => gopkce.on("logged_out", () => res(`+fastCall+`))))`)
	if r := e.call(tab1, `gopkce.logout({navigate: false})`); r.Code != "" {
		t.Fatalf("logout: %s", r.Code)
	}
	r := eval[fastResult](e, tab2, `window.heard`)
	if r.Fast || r.Code != "login_required" {
		t.Fatalf("tab2 at the logout event: %+v, want login_required from Go", r)
	}
}

// Another tab refreshed (shared tokens): this tab drops its token and
// serves the new one.
func testFastPathRefreshOtherTab(t *testing.T) {
	e := newE2E(t, e2eOptions{storage: "local"})
	tab1 := e.browser
	e.login(tab1, "/", "hal")
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	e.waitLoggedIn(tab2)
	old := e.wantFast(tab2, "tab2")
	eval[chromedp.Void](e, tab2, `void (window.heard = new Promise(res => gopkce.on("tokens_changed", ev => { if (ev.fromOtherTab) res(`+fastCall+`); })))`)
	if r := e.call(tab1, `gopkce.getToken({forceRefresh: true})`); r.Code != "" {
		t.Fatalf("refresh: %s", r.Code)
	}
	r := eval[fastResult](e, tab2, `window.heard`)
	if r.Fast || r.Token == old || r.Token == "" {
		t.Fatalf("tab2 after the other tab's refresh: %+v, want the new token from Go", r)
	}
}

// Reconfiguration: a configure() stops the fast path at once, before the
// module has even seen the new configuration; a record kept for one
// configuration is never used for another after a reload.
func testFastPathReconfigure(t *testing.T) {
	e := newE2E(t, e2eOptions{bench: true})
	ctx := e.browser
	e.login(ctx, "/", "ida")
	access := e.wantFast(ctx, "after login")
	idTok := e.tokens(ctx, "sessionStorage")["id_token"].(string)
	r := eval[fastResult](e, ctx, `(async () => {
		const cfg = (await (await fetch("/config.json")).json()).gopkce;
		gopkce.configure(Object.assign({}, cfg, {useToken: "id_token"}));
		return (`+fastCall+`);
	})()`)
	if r.Fast || r.Token != idTok {
		t.Fatalf("right after configure({useToken: \"id_token\"}): %+v, want the ID token from Go", r)
	}
	if got := e.wantFast(ctx, "after the reconfiguration"); got != idTok {
		t.Fatal("the fast path serves the access token for useToken id_token")
	}
	// The record is now the id_token configuration's: a page configured
	// like the demo must not use it before its module runs.
	type first struct {
		Token string `json:"token"`
		Fast  int    `json:"fast"`
	}
	e.do(ctx, chromedp.Navigate(e.site+"/bench/gopkce.html?first"))
	f := eval[first](e, ctx, `bench.first`)
	if f.Fast != 0 || f.Token != access {
		t.Fatalf("first token with another configuration's record: %+v, want the access token from Go", f)
	}
	e.do(ctx, chromedp.Navigate(e.site+"/bench/gopkce.html?first"))
	f = eval[first](e, ctx, `bench.first`)
	if f.Fast != 1 || f.Token != access {
		t.Fatalf("first token with this configuration's record: %+v, want the access token from the record", f)
	}
}

// A cleared session: the page clears sessionStorage, or Go clears the
// session after a refused refresh token while the access token is fresh.
func testFastPathClearedSession(t *testing.T) {
	e := newE2E(t, e2eOptions{bench: true})
	e.Expect("status of 400")
	ctx := e.browser
	e.login(ctx, "/", "jo")
	e.wantFast(ctx, "after login")
	r := eval[fastResult](e, ctx, `(() => { sessionStorage.clear(); return `+fastCall+`; })()`)
	if r.Fast || r.Code != "login_required" {
		t.Fatalf("after sessionStorage.clear(): %+v, want login_required from Go", r)
	}
	e.do(ctx, chromedp.Navigate(e.site+"/bench/gopkce.html?first"))
	if f := eval[fastResult](e, ctx, `bench.first`); f.Code != "login_required" {
		t.Fatalf("first token after a cleared session: %+v", f)
	}

	e.login(ctx, "/", "jo")
	e.wantFast(ctx, "after the second login")
	e.idp.InjectFaults(devidp.Fault{Kind: devidp.FaultInvalidGrant})
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "login_required" {
		t.Fatalf("refused refresh: %q", r.Code)
	}
	if r := e.fastToken(ctx); r.Fast || r.Code != "login_required" {
		t.Fatalf("after the session was cleared by Go: %+v, want login_required from Go", r)
	}
	if e.fastRecord(ctx) != nil {
		t.Fatal("the record outlived the session")
	}
}

// A page that removes or replaces only the token set, leaving the record:
// the record is bound to the set it was derived from, so the fast path
// stops, in the running page and before the module starts after a reload.
func testFastPathTokenSetChanged(t *testing.T) {
	e := newE2E(t, e2eOptions{bench: true})
	ctx := e.browser
	const key = `Object.keys(sessionStorage).find(k => k.startsWith("gopkce:tokens:"))`
	// first reloads the bench page and returns its first token, after
	// checking that the record is still there: whatever stops the fast
	// path then is the binding to the token set.
	first := func(what string) fastResult {
		t.Helper()
		if e.fastRecord(ctx) == nil {
			t.Fatalf("%s: the record is gone before the reload; the case tests nothing", what)
		}
		e.do(ctx, chromedp.Navigate(e.site+"/bench/gopkce.html?first"))
		return eval[fastResult](e, ctx, `bench.first.then(f => Object.assign(f, {fast: f.fast === 1}))`)
	}

	e.login(ctx, "/", "max")
	e.wantFast(ctx, "after login")
	if r := eval[fastResult](e, ctx, `(() => { sessionStorage.removeItem(`+key+`); return `+fastCall+`; })()`); r.Fast || r.Code != "login_required" {
		t.Fatalf("running page, token set removed: %+v, want login_required from Go", r)
	}

	e.login(ctx, "/", "max")
	if f := first("a live session"); !f.Fast || f.Token == "" {
		t.Fatalf("first token with a live session: %+v, want it from the record", f)
	}
	eval[chromedp.Void](e, ctx, `void sessionStorage.removeItem(`+key+`)`)
	if f := first("token set removed"); f.Fast || f.Code != "login_required" {
		t.Fatalf("first token after a reload without the token set: %+v, want login_required from Go", f)
	}

	e.login(ctx, "/", "max")
	e.do(ctx, chromedp.Navigate(e.site+"/bench/gopkce.html?first"))
	eval[chromedp.Void](e, ctx, `bench.first.then(() => {
		const k = `+key+`, ts = JSON.parse(sessionStorage.getItem(k));
		ts.access_token = "replaced-token";
		sessionStorage.setItem(k, JSON.stringify(ts));
	})`)
	if f := first("token set replaced"); f.Fast || f.Token != "replaced-token" {
		t.Fatalf("first token after a reload with another token set: %+v, want the stored set's token from Go", f)
	}
}

// A page load with a live session: the first getToken is answered from
// the record before the module has started.
func testFastPathFirstToken(t *testing.T) {
	e := newE2E(t, e2eOptions{bench: true})
	ctx := e.browser
	e.login(ctx, "/", "kai")
	access := e.tokens(ctx, "sessionStorage")["access_token"].(string)
	e.do(ctx, chromedp.Navigate(e.site+"/bench/gopkce.html?first"))
	type first struct {
		Token string  `json:"token"`
		Fast  int     `json:"fast"`
		At    float64 `json:"at"`
		Ready float64 `json:"ready"`
	}
	f := eval[first](e, ctx, `Promise.all([bench.first, bench.ready]).then(([f, ready]) => Object.assign(f, {ready}))`)
	if f.Fast != 1 || f.Token != access || f.At >= f.Ready {
		t.Fatalf("first token %+v: want the access token from the record, before the module was ready", f)
	}
}

// A reload and a navigation in the same tab are not duplicates: the tab
// keeps its id and its refresh token, and refreshes at once.
func testReloadIsNotDuplicate(t *testing.T) {
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating})
	ctx := e.browser
	e.login(ctx, "/", "lou")
	id := e.storage(ctx, "sessionStorage")["gopkce:tab"]
	for i, step := range []chromedp.Action[chromedp.Void]{chromedp.Reload(), chromedp.Navigate(e.site + "/?again"), chromedp.Reload(), chromedp.Navigate(e.site + "/")} {
		e.do(ctx, step)
		e.waitLoggedIn(ctx)
		if got := e.storage(ctx, "sessionStorage")["gopkce:tab"]; got != id {
			t.Fatalf("page load %d took a new tab id: a reload was taken for a duplicate", i+1)
		}
		if e.tokens(ctx, "sessionStorage")["refresh_token"] == nil {
			t.Fatalf("page load %d dropped the refresh token", i+1)
		}
	}
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "" {
		t.Fatalf("refresh after reloads: %s", r.Code)
	}
}
