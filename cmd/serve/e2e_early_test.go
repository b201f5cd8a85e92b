package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Before the module runs, the loader answers configure (for exactly the
// recorded configuration), getSession and gopkce.fetch from the fast
// path's record, under the record's guards. /bench/early.html loads the
// loader with data-manual: no module runs until the test calls
// gopkce.load, so whatever settles before that was answered by the loader
// alone.

// settle is a page expression's outcome: "resolved" with its value,
// "rejected" with its code, or "pending" after 300 ms. Without a module a
// call that needs one never settles, so "pending" is exact, not a timing.
type settled struct {
	State string          `json:"state"`
	Value json.RawMessage `json:"value"`
	Code  string          `json:"code"`
}

func (e *e2e) settle(ctx context.Context, expr string) settled {
	e.tb.Helper()
	return eval[settled](e, ctx, `(() => {
		const p = (async () => `+expr+`)();
		window.lastCall = p;
		return Promise.race([
			p.then(v => ({ state: "resolved", value: v ?? null }), err => ({ state: "rejected", code: err.code || String(err) })),
			new Promise(r => setTimeout(() => r({ state: "pending" }), 300)),
		]);
	})()`)
}

// early loads the page whose module waits for gopkce.load, after running
// setup (if any) on the page before.
func (e *e2e) early(ctx context.Context) {
	e.tb.Helper()
	e.do(ctx, chromedp.Navigate(e.site+"/bench/early.html"))
}

const (
	earlyConfigure = `gopkce.configure(benchConfig)`
	earlySession   = `gopkce.getSession()`
	earlyLoad      = `void gopkce.load("/gopkce.wasm")`
)

func testBeforeModule(t *testing.T) {
	e := newE2E(t, e2eOptions{bench: true})
	ctx := e.browser
	e.login(ctx, "/", "eve")
	ts := e.tokens(ctx, "sessionStorage")
	api := jsString(e.idp.Issuer() + "/api/me")
	relogin := func() {
		t.Helper()
		eval[chromedp.Void](e, ctx, `sessionStorage.clear()`)
		e.login(ctx, "/", "eve")
	}
	want := func(what string, got settled, state string) {
		t.Helper()
		if got.State != state {
			t.Fatalf("%s: %s %s %s, want %s", what, got.State, got.Value, got.Code, state)
		}
	}

	// The recorded configuration: configure, getSession and fetch answer
	// without the module.
	e.early(ctx)
	want("configure, recorded configuration", e.settle(ctx, earlyConfigure), "resolved")
	s := e.settle(ctx, earlySession)
	want("getSession", s, "resolved")
	var sess map[string]any
	json.Unmarshal(s.Value, &sess)
	if sess["loggedIn"] != true || sess["expiresAt"] != ts["expires_at"] || sess["hasRefreshToken"] != true || sess["refreshTokenExpiresAt"] == nil {
		t.Fatalf("getSession before the module: %s, stored expires_at %v", s.Value, ts["expires_at"])
	}

	base := e.idp.APIRequests()
	f := e.settle(ctx, `gopkce.fetch(`+api+`).then(r => r.status)`)
	if f.State != "resolved" || string(f.Value) != "200" || e.idp.APIRequests() != base+1 {
		t.Fatalf("gopkce.fetch before the module: %+v", f)
	}
	// An origin the record does not list waits for the module, which
	// refuses it.
	want("fetch to an unlisted origin", e.settle(ctx, `gopkce.fetch(location.origin + "/x")`), "pending")
	eval[chromedp.Void](e, ctx, earlyLoad)
	if r := e.call(ctx, `window.lastCall`); r.Code != "origin_not_allowed" {
		t.Fatalf("unlisted origin once the module runs: %+v", r)
	}
	if r := e.call(ctx, `gopkce.getSession()`); r.Code != "" || string(r.OK) != string(s.Value) {
		t.Fatalf("getSession from the module %s, from the record %s: they differ", r.OK, s.Value)
	}

	// Another configuration waits for the module.
	e.early(ctx)
	want("configure, another configuration", e.settle(ctx, `gopkce.configure(Object.assign({}, benchConfig, {scope: "openid"}))`), "pending")
	want("getSession, another configuration", e.settle(ctx, earlySession), "pending")
	eval[chromedp.Void](e, ctx, earlyLoad)
	if r := e.call(ctx, `gopkce.getSession()`); r.Code != "" {
		t.Fatalf("getSession once the module runs: %+v", r)
	}

	// Each guard, once the recorded configuration resolved at once.
	guards := []struct{ name, breakIt string }{
		{"a new configuration", `void gopkce.configure(Object.assign({}, benchConfig, {scope: "openid"}))`},
		{"logout", `void gopkce.logout({navigate: false})`},
		{"the token set replaced", `(() => { const k = Object.keys(sessionStorage).find(k => k.startsWith("gopkce:tokens:"));
			const t = JSON.parse(sessionStorage.getItem(k)); t.access_token = "other"; sessionStorage.setItem(k, JSON.stringify(t)); })()`},
		{"the token set removed", `sessionStorage.removeItem(Object.keys(sessionStorage).find(k => k.startsWith("gopkce:tokens:")))`},
	}
	for _, g := range guards {
		relogin()
		e.early(ctx)
		want(g.name+": configure", e.settle(ctx, earlyConfigure), "resolved")
		want(g.name+": getSession before", e.settle(ctx, earlySession), "resolved")
		eval[chromedp.Void](e, ctx, `void (`+g.breakIt+`)`)
		want(g.name+": getSession after", e.settle(ctx, earlySession), "pending")
		want(g.name+": getToken after", e.settle(ctx, `gopkce.getToken()`), "pending")
		want(g.name+": fetch after", e.settle(ctx, `gopkce.fetch(`+api+`)`), "pending")
	}

	// Go's freshness deadline: the record's deadline, brought forward to
	// 1.5 s from now, ends every answer from it.
	relogin()
	eval[chromedp.Void](e, ctx, `(() => { const r = JSON.parse(sessionStorage.getItem("gopkce:fast"));
		r.u = Date.now() + 1500; sessionStorage.setItem("gopkce:fast", JSON.stringify(r)); })()`)
	e.early(ctx)
	want("deadline: configure", e.settle(ctx, earlyConfigure), "resolved")
	want("deadline: getSession before", e.settle(ctx, earlySession), "resolved")
	eval[chromedp.Void](e, ctx, `new Promise(r => setTimeout(r, Math.max(0, JSON.parse(sessionStorage.getItem("gopkce:fast")).u - Date.now() + 10)))`)
	want("deadline: getSession after", e.settle(ctx, earlySession), "pending")
	want("deadline: fetch after", e.settle(ctx, `gopkce.fetch(`+api+`)`), "pending")
	// A deadline already past: configure waits for the module.
	e.early(ctx)
	want("deadline past: configure", e.settle(ctx, earlyConfigure), "pending")

	// The module validates again: a record vouching for a configuration
	// the module refuses lets configure resolve, and the module's refusal
	// then reaches the calls that wait for it.
	relogin()
	e.early(ctx)
	eval[chromedp.Void](e, ctx, `(() => { const r = JSON.parse(sessionStorage.getItem("gopkce:fast"));
		const bad = Object.assign({}, benchConfig, {clientId: ""}); r.c = JSON.stringify(bad);
		sessionStorage.setItem("gopkce:fast", JSON.stringify(r)); })()`)
	e.early(ctx)
	want("refused configuration: configure", e.settle(ctx, `gopkce.configure(Object.assign({}, benchConfig, {clientId: ""}))`), "resolved")
	eval[chromedp.Void](e, ctx, earlyLoad)
	if r := e.call(ctx, `gopkce.getClaims()`); r.Code != "invalid_config" || !strings.Contains(r.Message, "clientId") {
		t.Fatalf("a call after the module refused the early configuration: %+v, want invalid_config", r)
	}
	if r := e.call(ctx, `gopkce.getToken()`); r.Code != "invalid_config" || !strings.Contains(r.Message, "clientId") {
		t.Fatalf("getToken after the module refused the early configuration: %+v, want invalid_config", r)
	}
}
