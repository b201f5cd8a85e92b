package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A page loaded with a live session answers its first token from the
// fast path's record; the loader asks for the module at once but reads
// its response only after the page's deferred scripts ran (at
// DOMContentLoaded, one task later), or as soon as a call needs Go.
// Without a live session it reads at once. /bench/deferred.html's
// deferred script records whether the read had begun when it ran and
// right after its call; these are orders of events, not timings.
func testModuleRead(t *testing.T) {
	e := newE2E(t, e2eOptions{bench: true})
	ctx := e.browser
	e.login(ctx, "/", "ivy")

	type probe struct {
		AtScript       bool    `json:"atScript"`
		AfterConfigure bool    `json:"afterConfigure"`
		AfterCall      bool    `json:"afterCall"`
		Done           any     `json:"done"`
		Read           float64 `json:"read"`
		API            float64 `json:"api"`
	}
	load := func(then string) probe {
		t.Helper()
		path := "/bench/deferred.html"
		if then == "claims-then-load" {
			path = "/bench/deferred-manual.html"
		}
		e.do(ctx, chromedp.Navigate(e.site+path+"?then="+then))
		e.waitFor(ctx, `!!window.probe`)
		return eval[probe](e, ctx, `(async () => {
			const done = await probe.done;
			await gopkce.ready;
			const api = performance.getEntriesByType("resource").find(r => new URL(r.name).pathname === "/api/me");
			return { atScript: probe.atScript, afterConfigure: !!probe.afterConfigure, afterCall: probe.afterCall, done, read: gopkce._stats.read, api: api ? api.startTime : -1 };
		})()`)
	}

	// The README's path: the first request goes out before the read.
	p := load("fetch")
	if p.AtScript || p.Done != float64(200) || p.API < 0 || !(p.API < p.Read) {
		t.Fatalf("live session, first request: %+v; want the module read after /api/me was sent", p)
	}
	e.wantOneModuleRequest(ctx)

	// The recorded configuration resolves without the module: no read.
	if p := load("configure"); p.AtScript || p.AfterCall || p.Done != "ok" {
		t.Fatalf("live session, the recorded configuration: %+v", p)
	}
	// What only the module answers starts the read at once.
	if p := load("other"); p.AtScript || !p.AfterCall || p.Done != "ok" {
		t.Fatalf("live session, another configuration: %+v", p)
	}
	if p := load("claims"); p.AtScript || p.AfterConfigure || !p.AfterCall {
		t.Fatalf("live session, getClaims: %+v", p)
	}
	// A call made before load (data-manual) is not forgotten by load.
	if p := load("claims-then-load"); p.AtScript || !p.AfterCall {
		t.Fatalf("live session, getClaims before gopkce.load: %+v", p)
	}

	// A parser stopped before DOMContentLoaded (window.stop(), the Stop
	// button) fires none, but the document completes: the loader reads
	// the module then, and gopkce.ready settles.
	e.navigateNoWait(ctx, e.site+"/bench/stopped.html")
	e.waitFor(ctx, `!!window.gopkce && document.readyState === "interactive" && gopkce._stats.read === undefined`)
	// Stopping aborts the module's request too: ready settles either way.
	eval[chromedp.Void](e, ctx, `window.settled = gopkce.ready.then(() => "ready", (err) => "rejected: " + err.code); window.stop()`)
	got := eval[string](e, ctx, `Promise.race([
		window.settled.then((s) => s + ", read " + (gopkce._stats.read !== undefined)),
		new Promise((r) => setTimeout(() => r("unsettled after 5 s, read " + (gopkce._stats.read !== undefined)), 5000)),
	])`)
	if !strings.HasSuffix(got, "read true") || strings.HasPrefix(got, "unsettled") {
		t.Fatalf("a stopped page: %s", got)
	}

	// No live session: the loader reads the module at once.
	e.do(ctx, chromedp.Navigate(e.site+"/"))
	e.waitLoggedIn(ctx)
	if r := e.call(ctx, `gopkce.logout({navigate: false})`); r.Code != "" {
		t.Fatalf("logout: %+v", r)
	}
	if p := load("configure"); !p.AtScript {
		t.Fatalf("no session: %+v; want the module read before the page's scripts", p)
	}
}
