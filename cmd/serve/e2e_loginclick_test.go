package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// clickOnAppear is run in every page before its own scripts: it clicks
// #login in the same task in which the page shows it, and records in the
// tab's sessionStorage the time from that click to the navigation it
// starts (the Navigation API's navigate event), and what the button said
// then.
const clickOnAppear = `(() => {
	let clicked = false;
	const tryClick = () => {
		const b = document.getElementById("login");
		if (clicked || !b || b.hidden || b.closest("[hidden]")) return;
		clicked = true;
		const at = performance.now();
		navigation.addEventListener("navigate", () => {
			sessionStorage.setItem("benchClick", JSON.stringify({ ms: performance.now() - at, text: b.textContent, busy: b.getAttribute("aria-busy") || "" }));
		});
		b.click();
	};
	new MutationObserver(tryClick).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["hidden"] });
})();`

type clickResult struct {
	MS   float64 `json:"ms"`
	Text string  `json:"text"`
	Busy string  `json:"busy"`
}

// installClickOnAppear adds clickOnAppear to every new document of ctx's tab.
func installClickOnAppear(tb testing.TB, ctx context.Context) {
	cdpRun(tb, ctx, func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: clickOnAppear})
		return err
	})
}

// navigateNoWait sends the tab to url (Page.navigate) without waiting for
// the load event.
func (e *e2e) navigateNoWait(ctx context.Context, url string) {
	e.tb.Helper()
	cdpRun(e.tb, ctx, func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.Navigate, page.NavigateParams{URL: url})
		return err
	})
}

// clickToNavigation loads path signed out, lets clickOnAppear click Log in
// the moment it shows, waits for the provider's page and returns what was
// recorded.
func (e *e2e) clickToNavigation(ctx context.Context, path string) clickResult {
	e.tb.Helper()
	// On a slow network the click may navigate away before the page has
	// loaded.
	e.navigateNoWait(ctx, e.site+path)
	e.waitFor(ctx, `location.href.startsWith(`+jsString(e.idp.Issuer())+`)`)
	e.do(ctx, chromedp.Navigate(e.site+"/config.json"))
	return eval[clickResult](e, ctx, `(() => {
		const r = JSON.parse(sessionStorage.getItem("benchClick"));
		sessionStorage.removeItem("benchClick");
		if (!r) throw new Error("no click recorded");
		return r;
	})()`)
}

// A click on the demo's Log in the moment it shows navigates to the
// provider, and the button says it is working in the meantime.
func testDemoLoginClick(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	installClickOnAppear(t, ctx)
	r := e.clickToNavigation(ctx, "/")
	if r.Text != "Starting…" || r.Busy != "true" {
		t.Fatalf("the button said %q (aria-busy %q) while starting the login, want Starting… and true", r.Text, r.Busy)
	}
	t.Logf("click to navigation: %.1f ms", r.MS)
}

// BenchmarkBrowserREADMELogin measures, on the README's classic page and
// on the floor's copy of it (signed out, alternately, same run), the time
// from a click on Log in, made the moment the page shows the button, to
// the navigation to the provider, on loopback and on 4G
// (BenchmarkBrowserREADME's profile). Median of b.N, range as in
// BenchmarkBrowserREADME.
func BenchmarkBrowserREADMELogin(b *testing.B) {
	for _, network := range []string{"loopback", "4G"} {
		b.Run(network, func(b *testing.B) {
			dir := readmeSite(b, "classic")
			e := newE2E(b, e2eOptions{web: dir, gopkceFiles: true})
			ctx := e.browser
			for _, name := range []string{"index.html", "app.js"} {
				p := filepath.Join(dir, name)
				body, err := os.ReadFile(p)
				if err != nil {
					b.Fatal(err)
				}
				os.WriteFile(p, []byte(strings.ReplaceAll(string(body), devIssuer, e.idp.Issuer())), 0o644)
			}
			if network == "4G" {
				cdpRun(b, ctx, func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, emulateNetworkConditions, net4G)
					return err
				})
			}
			installClickOnAppear(b, ctx)
			e.clickToNavigation(ctx, "/")
			e.clickToNavigation(ctx, "/floor.html")
			var click pair
			for b.Loop() {
				g := e.clickToNavigation(ctx, "/")
				f := e.clickToNavigation(ctx, "/floor.html")
				click.gopkce, click.floor = append(click.gopkce, g.MS), append(click.floor, f.MS)
			}
			click.reportRange(b, "click-ms")
		})
	}
}

// BenchmarkBrowserDemoLogin is the demo page's click to navigation (the
// floor has no copy of the demo).
func BenchmarkBrowserDemoLogin(b *testing.B) {
	e := newE2E(b, e2eOptions{})
	ctx := e.browser
	installClickOnAppear(b, ctx)
	e.clickToNavigation(ctx, "/")
	var ms []float64
	for b.Loop() {
		ms = append(ms, e.clickToNavigation(ctx, "/").MS)
	}
	b.ReportMetric(median(ms), "click-ms")
	b.ReportMetric(slicesMin(ms), "min-click-ms")
	b.ReportMetric(slicesMax(ms), "max-click-ms")
	b.ReportMetric(0, "ns/op")
}
