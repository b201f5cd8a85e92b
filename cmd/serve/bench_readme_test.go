package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The README's own pages, measured against the floor doing the same work
// in the same run: the snippet pages of README.md (classic script and ES
// module) served as an integrator's site, and beside them /floor.html,
// the same page and the same application code with window.gopkce replaced
// by an adapter over floor.js (testdata/bench/floor-adapter.js). Each
// figure is a median of b.N page loads of each, alternately; ranges are
// reported as -min and -max.
//
//   - first-request: navigation start to the start of the page's
//     authorised request to /api/me (the first token in hand), a reload
//     with a live session;
//   - ready: navigation start to gopkce.ready (the floor: its scripts ran).
//
// Networks: loopback, and 4G emulated through the Chrome DevTools
// Protocol (Network.emulateNetworkConditions: 60 ms latency, 9 Mbit/s
// down, 1.5 Mbit/s up). Caches: "cached" reloads with the HTTP cache as
// the previous load left it; "cold" clears the browser's cache (and with
// it the compiled module) before every load.

// netConditions are Network.emulateNetworkConditions's parameters, a
// command this cdproto release no longer lists.
type netConditions struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

var emulateNetworkConditions = cdp.Command[netConditions, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

// net4G is the phone network.
var net4G = netConditions{Latency: 60, DownloadThroughput: 9e6 / 8, UploadThroughput: 1.5e6 / 8}

func cdpRun(tb testing.TB, ctx context.Context, f func(ctx context.Context, t *chromedp.Target) error) {
	tb.Helper()
	if _, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (struct{}, error) {
		return struct{}{}, f(ctx, t)
	}); err != nil {
		tb.Fatal(err)
	}
}

// readmeMoments is recorded in every page by a script run before the
// page's own: when gopkce (or the floor's adapter) is defined, the moment
// its ready settles.
const readmeMoments = `(() => {
	let lib;
	Object.defineProperty(window, "gopkce", {
		configurable: true,
		get() { return lib; },
		set(v) { lib = v; Promise.resolve(v && v.ready).then(() => { window.benchReady = performance.now(); }); },
	});
})();`

// readmeSite writes the README's snippet pages of one kind and the floor's
// copy of them into a directory.
func readmeSite(tb testing.TB, kind string) string {
	tb.Helper()
	root := ensureBuilt(tb)
	named := map[string]docSnippet{}
	for _, s := range docSnippets(tb, root, "README.md") {
		if s.name != "" {
			named[s.name] = s
		}
	}
	dir := tb.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for _, f := range []string{"floor.js", "floor-adapter.js"} {
		b, err := os.ReadFile(filepath.Join("testdata", "bench", f))
		if err != nil {
			tb.Fatal(err)
		}
		write(f, string(b))
	}
	floorScripts := `<script src="/floor.js"></script>
<script src="/floor-adapter.js"></script>
`
	switch kind {
	case "classic":
		html, app := named["index.html"].body, named["app.js"].body
		write("index.html", html)
		write("app.js", app)
		write("floor.html", stripGopkce(html, floorScripts))
	case "module":
		html, app := named["module index.html"].body, named["app.mjs"].body
		write("index.html", html)
		write("app.mjs", app)
		const imp = `import gopkce from "/gopkce.mjs";`
		if !strings.Contains(app, imp) {
			tb.Fatalf("app.mjs no longer says %s", imp)
		}
		write("floor-app.mjs", strings.Replace(app, imp, `const gopkce = window.gopkce;`, 1))
		write("floor.html", strings.Replace(stripGopkce(html, floorScripts), `src="/app.mjs"`, `src="/floor-app.mjs"`, 1))
	}
	return dir
}

// stripGopkce removes gopkce's preload links and scripts from a page and
// puts the floor's scripts where the first was.
func stripGopkce(html, floorScripts string) string {
	var out []string
	placed := false
	for _, l := range strings.Split(html, "\n") {
		if strings.Contains(l, "gopkce") && (strings.HasPrefix(l, "<link") || strings.HasPrefix(l, "<script")) || strings.HasPrefix(l, `<script src="/wasm_exec.js"`) {
			if !placed {
				out = append(out, strings.TrimSuffix(floorScripts, "\n"))
				placed = true
			}
			continue
		}
		if strings.HasPrefix(l, "<script") && !placed {
			out = append(out, strings.TrimSuffix(floorScripts, "\n"))
			placed = true
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// readmeEnv serves one kind of README page, signs in on it and on the
// floor's copy, and records the moments of every page load.
func readmeEnv(b *testing.B, kind string) (*e2e, context.Context) {
	dir := readmeSite(b, kind)
	e := newE2E(b, e2eOptions{web: dir, gopkceFiles: true})
	ctx := e.browser
	for _, name := range []string{"index.html", "app.js", "app.mjs", "floor-app.mjs"} {
		p := filepath.Join(dir, name)
		if body, err := os.ReadFile(p); err == nil {
			os.WriteFile(p, []byte(strings.ReplaceAll(string(body), devIssuer, e.idp.Issuer())), 0o644)
		}
	}
	cdpRun(b, ctx, func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: readmeMoments})
		if err == nil {
			_, err = cdp.Call(ctx, t, network.Enable, network.EnableParams{})
		}
		return err
	})
	// gopkce: through the page, as a user.
	e.do(ctx, chromedp.Navigate(e.site+"/"))
	e.do(ctx, chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible))
	e.waitFor(ctx, `location.href.startsWith(`+jsString(e.idp.Issuer())+`) && !!document.getElementById("username")`)
	e.do(ctx, chromedp.SendKeys(chromedp.ID("username"), "bench"), chromedp.Click(chromedp.CSS(`button[value="login"]`)))
	e.waitFor(ctx, `location.pathname === "/" && !!(document.getElementById("out") || {}).textContent`)
	// The floor: its own tokens, through its library.
	e.do(ctx, chromedp.Navigate(e.site+"/floor.html"))
	e.waitFor(ctx, `!!window.floor && !document.getElementById("login").hidden`)
	auth := eval[string](e, ctx, `floor.startLogin({returnTo: "/floor.html"})`)
	cb := signIn(b, auth)
	if r := e.call(ctx, `floor.handleCallback(`+jsString(cb)+`)`); r.Code != "" {
		b.Fatalf("floor login: %s %s", r.Code, r.Message)
	}
	return e, ctx
}

type readmeLoad struct {
	First float64 `json:"first"`
	Ready float64 `json:"ready"`
}

// readmeLoadOnce loads a page and returns its moments once it shows
// /api/me's answer.
func (e *e2e) readmeLoadOnce(ctx context.Context, path string, cold bool) readmeLoad {
	if cold {
		cdpRun(e.tb, ctx, func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.ClearBrowserCache, cdp.Empty{})
			return err
		})
	}
	e.do(ctx, chromedp.Navigate(e.site+path))
	e.waitFor(ctx, `!!(document.getElementById("out") || {}).textContent && window.benchReady !== undefined`)
	return eval[readmeLoad](e, ctx, `(() => {
		const api = performance.getEntriesByType("resource").find(r => new URL(r.name).pathname === "/api/me");
		if (!document.getElementById("out").textContent.includes("hello bench")) throw new Error("the page shows " + document.getElementById("out").textContent);
		return { first: api ? api.startTime : -1, ready: window.benchReady };
	})()`)
}

func BenchmarkBrowserREADME(b *testing.B) {
	for _, kind := range []string{"classic", "module"} {
		for _, network := range []string{"loopback", "4G"} {
			for _, cache := range []string{"cached", "cold"} {
				b.Run(kind+"/"+network+"/"+cache, func(b *testing.B) {
					e, ctx := readmeEnv(b, kind)
					if network == "4G" {
						cdpRun(b, ctx, func(ctx context.Context, t *chromedp.Target) error {
							_, err := cdp.Call(ctx, t, emulateNetworkConditions, net4G)
							return err
						})
					}
					cold := cache == "cold"
					// One load of each first, so that "cached" starts cached.
					e.readmeLoadOnce(ctx, "/", false)
					e.readmeLoadOnce(ctx, "/floor.html", false)
					var first, ready pair
					for b.Loop() {
						g := e.readmeLoadOnce(ctx, "/", cold)
						f := e.readmeLoadOnce(ctx, "/floor.html", cold)
						if g.First < 0 || f.First < 0 {
							b.Fatalf("no /api/me request: %+v %+v", g, f)
						}
						first.gopkce, first.floor = append(first.gopkce, g.First), append(first.floor, f.First)
						ready.gopkce, ready.floor = append(ready.gopkce, g.Ready), append(ready.floor, f.Ready)
					}
					first.reportRange(b, "first-ms")
					ready.reportRange(b, "ready-ms")
				})
			}
		}
	}
}

// reportRange reports both medians, their ratio and both ranges.
func (p *pair) reportRange(b *testing.B, unit string) {
	g, f := median(p.gopkce), median(p.floor)
	b.ReportMetric(g, "gopkce-"+unit)
	b.ReportMetric(f, "floor-"+unit)
	if f > 0 {
		b.ReportMetric(g/f, "x-floor-"+unit)
	}
	b.ReportMetric(slicesMin(p.gopkce), "gopkce-min-"+unit)
	b.ReportMetric(slicesMax(p.gopkce), "gopkce-max-"+unit)
	b.ReportMetric(slicesMin(p.floor), "floor-min-"+unit)
	b.ReportMetric(slicesMax(p.floor), "floor-max-"+unit)
	b.ReportMetric(0, "ns/op")
}

func slicesMin(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func slicesMax(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
