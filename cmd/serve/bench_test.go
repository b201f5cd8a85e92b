package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/build"
)

// Browser benchmarks: figures, not assertions. Each one that has a floor
// measures gopkce (/bench/gopkce.html) and the floor (/bench/floor.html,
// plain JavaScript doing the same storage and fetch work) alternately in
// the same browser, and reports both medians and their ratio (x-floor);
// ./build.sh bench prints them for web/doc/figures.md. These machines are
// noisy: compare within a run.

// pair collects alternating gopkce and floor samples.
type pair struct{ gopkce, floor []float64 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// report reports both medians in unit and their ratio.
func (p *pair) report(b *testing.B, unit string) {
	g, f := median(p.gopkce), median(p.floor)
	b.ReportMetric(g, "gopkce-"+unit)
	b.ReportMetric(f, "floor-"+unit)
	if f > 0 {
		b.ReportMetric(g/f, "x-floor")
	}
	b.ReportMetric(0, "ns/op")
}

// benchEnv is an end-to-end environment serving the benchmark pages.
func benchEnv(b *testing.B, eo e2eOptions) *e2e {
	eo.bench = true
	return newE2E(b, eo)
}

// page is one of the two benchmark pages ("gopkce" or "floor").
func (e *e2e) page(ctx context.Context, which, query string) {
	e.do(ctx, chromedp.Navigate(e.site+"/bench/"+which+".html"+query))
}

// floorLogin signs the floor page in (its own tokens, under its own keys).
func (e *e2e) benchLogin(ctx context.Context, which string) {
	e.page(ctx, which, "")
	cb := signIn(e.tb, e.benchStartLogin(ctx))
	if r := e.call(ctx, `bench.configured.then(() => bench.lib.handleCallback(`+jsString(cb)+`))`); r.Code != "" {
		e.tb.Fatalf("%s login: %s %s", which, r.Code, r.Message)
	}
}

func (e *e2e) benchStartLogin(ctx context.Context) string {
	return eval[string](e, ctx, `bench.configured.then(() => bench.lib.startLogin({returnTo: "/", navigate: false}))`)
}

// signIn posts the provider's login form outside the browser and returns
// the callback URL with the code (benchmarks only: the E2E suite signs in
// through the page).
func signIn(tb testing.TB, authURL string) string {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("username", "bench")
	form.Set("action", "login")
	resp, err := c.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" {
		tb.Fatalf("the provider did not redirect (HTTP %d)", resp.StatusCode)
	}
	return loc
}

// BenchmarkBrowserReady: milliseconds from navigation start to ready: for
// gopkce gopkce.ready (fetch, compile and start of the wasm, which may come
// from Chromium's code cache after the first load), for the floor the end
// of its script.
func BenchmarkBrowserReady(b *testing.B) {
	e := benchEnv(b, e2eOptions{})
	ctx := e.browser
	var p pair
	for b.Loop() {
		for _, w := range []string{"gopkce", "floor"} {
			e.page(ctx, w, "")
			v := eval[float64](e, ctx, `bench.ready`)
			if w == "gopkce" {
				p.gopkce = append(p.gopkce, v)
			} else {
				p.floor = append(p.floor, v)
			}
		}
	}
	p.report(b, "ms")
}

// BenchmarkBrowserFirstTokenAfterReload: milliseconds from navigation start
// to the first token on a page load with a live session (storage
// "session"). gopkce answers it from the record its module kept, before
// the module has started; the floor reads and parses its token set.
func BenchmarkBrowserFirstTokenAfterReload(b *testing.B) {
	e := benchEnv(b, e2eOptions{})
	ctx := e.browser
	e.benchLogin(ctx, "gopkce")
	e.benchLogin(ctx, "floor")
	type first struct {
		Token string  `json:"token"`
		Code  string  `json:"code"`
		At    float64 `json:"at"`
		Fast  int     `json:"fast"`
	}
	var p pair
	for b.Loop() {
		e.page(ctx, "gopkce", "?first")
		g := eval[first](e, ctx, `bench.first`)
		if g.Token == "" || g.Fast != 1 {
			b.Fatalf("gopkce's first token did not come from the fast path: %+v", g)
		}
		e.page(ctx, "floor", "?first")
		f := eval[first](e, ctx, `bench.first`)
		if f.Token == "" {
			b.Fatalf("floor: %+v", f)
		}
		p.gopkce = append(p.gopkce, g.At)
		p.floor = append(p.floor, f.At)
	}
	p.report(b, "ms")
}

// BenchmarkBrowserFirstRefreshAfterReload: milliseconds of the first
// refresh on a freshly loaded page (getToken({forceRefresh: true}) once
// the library is configured), a token request on loopback included.
func BenchmarkBrowserFirstRefreshAfterReload(b *testing.B) {
	e := benchEnv(b, e2eOptions{})
	ctx := e.browser
	e.benchLogin(ctx, "gopkce")
	e.benchLogin(ctx, "floor")
	const timed = `(async () => { await bench.configured; await bench.ready; const t = performance.now();
		await bench.lib.getToken({forceRefresh: true}); return performance.now() - t; })()`
	var p pair
	for b.Loop() {
		e.page(ctx, "gopkce", "")
		p.gopkce = append(p.gopkce, eval[float64](e, ctx, timed))
		e.page(ctx, "floor", "")
		p.floor = append(p.floor, eval[float64](e, ctx, timed))
	}
	p.report(b, "ms")
}

// BenchmarkBrowserHandleCallback: handleCallback's duration on the
// callback page, freshly loaded at the redirect URI with the code in its
// URL, once the library is configured and ready (nothing cached in the
// tab), the code exchange on loopback included. The floor claims the state
// in IndexedDB before the exchange, as gopkce does; the same floor without
// the claim is measured too (x-floor-noclaim).
//
// It runs on loopback and on 4G (net4G, bench_readme_test.go).
func BenchmarkBrowserHandleCallback(b *testing.B) {
	for _, network := range []string{"loopback", "4G"} {
		b.Run(network, func(b *testing.B) { benchHandleCallback(b, network == "4G") })
	}
}

func benchHandleCallback(b *testing.B, on4G bool) {
	e := benchEnv(b, e2eOptions{anyLoopback: true})
	ctx := e.browser
	if on4G {
		cdpRun(b, ctx, func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulateNetworkConditions, net4G)
			return err
		})
	}
	timed := func(which, fragment string) float64 {
		e.page(ctx, which, "?cbpage")
		cb := signIn(b, e.benchStartLogin(ctx))
		if !strings.HasPrefix(cb, e.site+"/bench/"+which+".html?") {
			b.Fatalf("the provider redirected to %s", cb)
		}
		e.do(ctx, chromedp.Navigate(cb+fragment))
		return eval[float64](e, ctx, `(async () => { await bench.configured; await bench.ready; const t = performance.now();
			await bench.lib.handleCallback(location.href); return performance.now() - t; })()`)
	}
	var p pair
	var noClaim []float64
	for b.Loop() {
		p.gopkce = append(p.gopkce, timed("gopkce", ""))
		p.floor = append(p.floor, timed("floor", ""))
		noClaim = append(noClaim, timed("floor", "#"+url.PathEscape(`{"claim":false}`)))
	}
	p.report(b, "ms")
	if n := median(noClaim); n > 0 {
		b.ReportMetric(n, "floor-noclaim-ms")
		b.ReportMetric(median(p.gopkce)/n, "x-floor-noclaim")
	}
}

// BenchmarkBrowserGetTokenCached: one getToken call on a fresh token, in
// microseconds, with the tokens in sessionStorage and shared by all tabs.
func BenchmarkBrowserGetTokenCached(b *testing.B) {
	for _, storage := range []string{"session", "local"} {
		b.Run(storage, func(b *testing.B) {
			e := benchEnv(b, e2eOptions{storage: storage})
			gtab, ftab := e.browser, e.NewTab("floor")
			e.benchLogin(gtab, "gopkce")
			e.benchLogin(ftab, "floor")
			const calls = 2000
			loop := `(async () => { await bench.lib.getToken(); const t = performance.now();
				for (let i = 0; i < ` + strconv.Itoa(calls) + `; i++) await bench.lib.getToken();
				return (performance.now() - t) * 1000 / ` + strconv.Itoa(calls) + `; })()`
			var p pair
			for b.Loop() {
				p.gopkce = append(p.gopkce, eval[float64](e, gtab, loop))
				p.floor = append(p.floor, eval[float64](e, ftab, loop))
			}
			if eval[int](e, gtab, `gopkce._stats.fast`) < calls {
				b.Fatal("gopkce's cached getToken did not use the fast path")
			}
			p.report(b, "µs")
		})
	}
}

// BenchmarkBrowserConcurrentRefresh: 20 concurrent getToken calls that
// must refresh (forceRefresh: a margin can no longer make every token stale,
// since it never exceeds half the token's lifetime): the time until all 20
// have the new token, and the refresh requests made (one, shared).
func BenchmarkBrowserConcurrentRefresh(b *testing.B) {
	e := newE2E(b, e2eOptions{refreshMode: "rotating", accessTTL: time.Hour})
	ctx := e.browser
	e.login(ctx, "/", "bench")
	start := e.idp.TokenRequests("refresh_token")
	var total float64
	for b.Loop() {
		total += eval[float64](e, ctx, `(async () => { const t = performance.now();
			const toks = await Promise.all(Array.from({length: 20}, () => gopkce.getToken({forceRefresh: true})));
			if (new Set(toks).size !== 1) throw new Error("different tokens");
			return performance.now() - t; })()`)
	}
	b.ReportMetric(total/float64(b.N), "ms/20-calls")
	b.ReportMetric(float64(e.idp.TokenRequests("refresh_token")-start)/float64(b.N), "requests/20-calls")
}

// BenchmarkWasmSize reports the built module's sizes.
func BenchmarkWasmSize(b *testing.B) {
	root := ensureBuilt(b)
	for b.Loop() {
	}
	for _, f := range []struct{ suffix, unit string }{{"", "raw-bytes"}, {".gz", "gzip-bytes"}, {".br", "brotli-bytes"}} {
		st, err := os.Stat(build.Wasm(root) + f.suffix)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Size()), f.unit)
	}
	b.ReportMetric(0, "ns/op")
}
