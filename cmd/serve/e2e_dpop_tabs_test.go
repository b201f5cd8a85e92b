package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gopkce/gopkce/cmd/internal/browsertest"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// dpopRequired turns DPoP on in the page, refusing Bearer tokens.
func dpopRequired(c map[string]any) { c["dpop"] = "required" }

// fetchInTabs calls gopkce.fetch(url) n times at once in each tab, all
// tabs at the same time, and returns each tab's statuses; a rejection
// fails the test.
func (e *e2e) fetchInTabs(n int, url string, tabs ...context.Context) [][]int {
	e.tb.Helper()
	return inTabs[int](e, n, `gopkce.fetch(`+jsString(url)+`).then(r => r.status)`, tabs...)
}

// dpopKeyRecords returns the DPoP key records of the shared database.
func (e *e2e) dpopKeyRecords(ctx context.Context) map[string]json.RawMessage {
	e.tb.Helper()
	out := map[string]json.RawMessage{}
	for k, v := range browsertest.IndexedDBRecords(e.tb, ctx) {
		if strings.HasPrefix(k, "gopkce:dpop-key:") {
			out[k] = v
		}
	}
	return out
}

// distinct fails the test when a jti appears twice.
func distinct(t *testing.T, jtis []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, j := range jtis {
		if seen[j] {
			t.Fatalf("jti %q sent twice among %d proofs", j, len(jtis))
		}
		seen[j] = true
	}
}

// Tokens shared by every tab share their key: 2 tabs x 10 gopkce.fetch on
// an expired token make one refresh, and every proof has its own jti.
func testDPoPTwoTabs(t *testing.T) {
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating, accessTTL: 5 * time.Second, storage: "local", configHook: dpopRequired})
	e.idp.EnableDPoP(true, false)
	tab1 := e.browser
	e.login(tab1, "/", "sam")
	ts := e.tokens(tab1, "indexedDB")
	jkt, _ := ts["jkt"].(string)
	expired := time.UnixMilli(int64(ts["expires_at"].(float64)) + 300)
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	e.waitLoggedIn(tab2)
	if keys := e.dpopKeyRecords(tab2); len(keys) != 1 || keys["gopkce:dpop-key:"+jkt] == nil {
		t.Fatalf("key records %v, want the one of the session's jkt %q", keys, jkt)
	}
	if s := eval[string](e, tab2, `gopkce.getSession().then(s => s.dpopJkt)`); s != jkt {
		t.Fatalf("tab 2's session key %q, want the shared %q", s, jkt)
	}
	time.Sleep(time.Until(expired))
	if n := e.idp.TokenRequests("refresh_token"); n != 0 {
		t.Fatalf("%d refreshes before the calls", n)
	}
	api := e.idp.Issuer() + "/api/me"
	for i, r := range e.fetchInTabs(10, api, tab1, tab2) {
		for _, s := range r {
			if s != 200 {
				t.Fatalf("tab %d: /api/me %d", i+1, s)
			}
		}
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests from two tabs on an expired DPoP-bound token, want 1", n)
	}
	jtis := e.idp.DPoPJTIs()
	if len(jtis) < 1+1+20 { // the code exchange, the refresh, 20 API calls
		t.Fatalf("%d proofs, want at least 22", len(jtis))
	}
	distinct(t, jtis)
	if keys := e.dpopKeyRecords(tab1); len(keys) != 1 || keys["gopkce:dpop-key:"+jkt] == nil {
		t.Fatalf("key records after the refresh %v", keys)
	}
	claims, err := e.idp.Verify(e.tokens(tab1, "indexedDB")["access_token"].(string))
	if cnf, _ := claims["cnf"].(map[string]any); err != nil || cnf["jkt"] != jkt {
		t.Fatalf("the refreshed token is not bound to the shared key: %v %v", claims["cnf"], err)
	}
}

// A duplicated tab (sessionStorage copied) with per-tab storage: it finds
// the key its copied tokens name and keeps working; once the original
// logs out and the key is gone, it gets login_required without sending a
// token the provider would refuse.
func testDPoPDuplicatedTab(t *testing.T) {
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating, configHook: dpopRequired})
	e.idp.EnableDPoP(true, false)
	tab1 := e.browser
	e.login(tab1, "/", "omar")
	jkt, _ := e.tokens(tab1, "sessionStorage")["jkt"].(string)
	if jkt == "" {
		t.Fatal("no key named by the session")
	}
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	blob, _ := json.Marshal(e.storage(tab1, "sessionStorage"))
	eval[chromedp.Void](e, tab2, `(() => { const s = `+string(blob)+`; for (const k in s) sessionStorage.setItem(k, s[k]); })()`)
	e.do(tab2, chromedp.Reload())
	e.waitLoggedIn(tab2)
	api := e.idp.Issuer() + "/api/me"
	if s := e.fetchStatus(tab2, api); s != 200 {
		t.Fatalf("the duplicate's /api/me: %d", s)
	}
	if s := e.fetchStatus(tab1, api); s != 200 {
		t.Fatalf("the original's /api/me: %d", s)
	}
	if r := e.call(tab1, `gopkce.logout({navigate: false})`); r.Code != "" {
		t.Fatalf("logout: %s", r.Message)
	}
	before := e.idp.APIRequests()
	if r := e.call(tab2, `gopkce.fetch(`+jsString(api)+`).then(r => r.status)`); r.Code != "login_required" {
		t.Fatalf("the duplicate after the key was deleted: %s %s %s, want login_required", r.OK, r.Code, r.Message)
	}
	if n := e.idp.APIRequests() - before; n != 0 {
		t.Fatalf("the duplicate sent %d API requests with a token bound to a deleted key", n)
	}
	if ts := e.tokens(tab2, "sessionStorage"); ts != nil {
		t.Fatal("the duplicate kept tokens bound to a key it cannot use")
	}
	if r := e.call(tab2, `gopkce.getToken()`); r.Code != "login_required" {
		t.Fatalf("the duplicate's getToken: %q, want login_required", r.Code)
	}
}

// A provider whose clock is 3 minutes ahead refuses the first proof for
// its iat; gopkce retries once with the offset read from the Date header,
// at the API and at the token endpoint, and the next request needs no
// retry.
func testDPoPClock(t *testing.T) {
	e := newE2E(t, e2eOptions{configHook: dpopRequired})
	e.idp.EnableDPoP(true, false)
	e.Expect("status of 401") // the API's invalid_dpop_proof
	e.Expect("status of 400") // the token endpoint's
	ctx := e.browser
	e.login(ctx, "/", "ada")
	e.idp.SetDPoPClockOffset(3 * time.Minute)
	api := e.idp.Issuer() + "/api/me"
	base := e.idp.APIRequests()
	if s := e.fetchStatus(ctx, api); s != 200 || e.idp.APIRequests()-base != 2 {
		t.Fatalf("/api/me with the clock 3 minutes behind: %d after %d requests, want 200 after 2", s, e.idp.APIRequests()-base)
	}
	if s := e.fetchStatus(ctx, api); s != 200 || e.idp.APIRequests()-base != 3 {
		t.Fatalf("the next /api/me: %d, %d requests in all, want 3", s, e.idp.APIRequests()-base)
	}
	// A new page starts with no offset; the token endpoint teaches it.
	e.do(ctx, chromedp.Reload())
	e.waitLoggedIn(ctx)
	refreshes := e.idp.TokenRequests("refresh_token")
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "" || e.idp.TokenRequests("refresh_token")-refreshes != 2 {
		t.Fatalf("refresh with the clock behind: %s %s after %d requests, want 2", r.Code, r.Message, e.idp.TokenRequests("refresh_token")-refreshes)
	}
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "" || e.idp.TokenRequests("refresh_token")-refreshes != 3 {
		t.Fatalf("the next refresh: %s, %d requests in all, want 3", r.Code, e.idp.TokenRequests("refresh_token")-refreshes)
	}
	if s := e.fetchStatus(ctx, api); s != 200 {
		t.Fatalf("/api/me after the refreshes: %d", s)
	}
}
