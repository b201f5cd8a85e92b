package main

import (
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/build"
)

// Browser benchmarks: figures, not assertions. Each reports its own metric
// with b.ReportMetric; ./build.sh bench prints the README's table.

// BenchmarkBrowserReady: milliseconds from navigation start to gopkce.ready
// (fetch, compile and start of the wasm from loopback; the compiled module
// may come from Chromium's code cache after the first iteration).
func BenchmarkBrowserReady(b *testing.B) {
	e := newE2E(b, e2eOptions{})
	ctx := e.browser
	var total float64
	for b.Loop() {
		e.do(ctx, chromedp.Navigate(e.site+"/"))
		total += eval[float64](e, ctx, `gopkce.ready.then(() => performance.now())`)
	}
	b.ReportMetric(total/float64(b.N), "ms/ready")
}

// BenchmarkBrowserHandleCallback: handleCallback's duration in the page,
// the code exchange with the development provider on loopback included.
func BenchmarkBrowserHandleCallback(b *testing.B) {
	e := newE2E(b, e2eOptions{})
	ctx := e.browser
	e.open(ctx, "/")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var total float64
	for b.Loop() {
		authURL, _ := e.startLoginURL(ctx, "/")
		cb := signIn(b, client, authURL)
		total += eval[float64](e, ctx, `(async () => { const t = performance.now(); await gopkce.handleCallback(`+jsString(cb)+`); return performance.now() - t; })()`)
	}
	b.ReportMetric(total/float64(b.N), "ms/callback")
}

// signIn posts the provider's login form outside the browser and returns
// the callback URL with the code (benchmarks only: the E2E suite signs in
// through the page).
func signIn(b *testing.B, c *http.Client, authURL string) string {
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("username", "bench")
	form.Set("action", "login")
	resp, err := c.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Location")
}

// BenchmarkBrowserGetTokenCached: one getToken call on a fresh token.
func BenchmarkBrowserGetTokenCached(b *testing.B) {
	e := newE2E(b, e2eOptions{})
	ctx := e.browser
	e.login(ctx, "/", "bench")
	const calls = 200
	var total float64
	for b.Loop() {
		total += eval[float64](e, ctx, `(async () => { const t = performance.now(); for (let i = 0; i < `+strconv.Itoa(calls)+`; i++) await gopkce.getToken(); return performance.now() - t; })()`)
	}
	b.ReportMetric(total/float64(b.N)/calls*1000, "µs/getToken")
}

// BenchmarkBrowserConcurrentRefresh: 20 concurrent getToken calls on a
// stale token (the margin exceeds the lifetime, so every token is stale):
// the time until all 20 have the new token, and the refresh requests made.
func BenchmarkBrowserConcurrentRefresh(b *testing.B) {
	e := newE2E(b, e2eOptions{refreshMode: "rotating", accessTTL: time.Hour, refreshMargin: 2 * time.Hour})
	ctx := e.browser
	e.login(ctx, "/", "bench")
	start := e.idp.TokenRequests("refresh_token")
	var total float64
	for b.Loop() {
		total += eval[float64](e, ctx, `(async () => { const t = performance.now();
			const toks = await Promise.all(Array.from({length: 20}, () => gopkce.getToken()));
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
