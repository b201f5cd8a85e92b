package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// waitFor polls expr until it is true, across navigations.
func (e *e2e) waitFor(ctx context.Context, expr string) {
	e.tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := chromedp.Run(tctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			e.tb.Fatalf("never true: %s: %v", expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// devIssuer is the development provider's address in the README's
// snippets: serve's default -idp-addr. Tests run it on a free port.
const devIssuer = "http://127.0.0.1:8081"

// readmeSnippets returns the README's code blocks that follow a
// "<!-- snippet: NAME -->" line, by name.
func readmeSnippets(tb testing.TB) map[string]string {
	tb.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	var name string
	var body *strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case body != nil && strings.HasPrefix(line, "```"):
			out[name] = body.String()
			name, body = "", nil
		case body != nil:
			body.WriteString(line + "\n")
		case strings.HasPrefix(line, "<!-- snippet: "):
			name = strings.TrimSuffix(strings.TrimPrefix(line, "<!-- snippet: "), " -->")
		case name != "" && strings.HasPrefix(line, "```"):
			body = &strings.Builder{}
		}
	}
	return out
}

// The README's embedding snippets run as written: each page is served as
// the integrator's own (serve -web), its script loads gopkce, a user logs
// in through the development provider, and the page shows /api/me, which
// it fetched with gopkce.fetch. A syntax error, an exception or a failed
// load in the page fails the test.
func testREADMESnippets(t *testing.T) {
	snippets := readmeSnippets(t)
	for _, tc := range []struct {
		name  string
		files map[string]string // file in the page directory -> snippet
	}{
		{"classic_script", map[string]string{"index.html": "index.html", "app.js": "app.js"}},
		{"es_module", map[string]string{"index.html": "module index.html", "app.mjs": "app.mjs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for file, name := range tc.files {
				s, ok := snippets[name]
				if !ok {
					t.Fatalf("the README has no snippet %q", name)
				}
				os.WriteFile(filepath.Join(dir, file), []byte(s), 0o644)
			}
			e := newE2E(t, e2eOptions{web: dir, gopkceFiles: true})
			ctx := e.browser
			// The snippets name the provider at serve's default address.
			for file := range tc.files {
				b, _ := os.ReadFile(filepath.Join(dir, file))
				os.WriteFile(filepath.Join(dir, file), []byte(strings.ReplaceAll(string(b), devIssuer, e.idp.Issuer())), 0o644)
			}
			e.do(ctx, chromedp.Navigate(e.site+"/"))
			e.do(ctx, chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible))
			e.waitFor(ctx, `location.href.startsWith(`+jsString(e.idp.Issuer())+`) && !!document.getElementById("username")`)
			e.do(ctx,
				chromedp.SendKeys(chromedp.ID("username"), "reader"),
				chromedp.Click(chromedp.CSS(`button[value="login"]`)),
			)
			e.waitFor(ctx, `location.href === `+jsString(e.site+"/")+` && !!(document.getElementById("out") || {}).textContent`)
			if out := e.text(ctx, "#out"); !strings.Contains(out, `"hello reader"`) {
				t.Fatalf("the page shows %q, want /api/me's answer", out)
			}
			if loc := eval[string](e, ctx, `location.href`); loc != e.site+"/" {
				t.Fatalf("the page ends at %s", loc)
			}
			if n := e.idp.APICalls(); n != 1 {
				t.Fatalf("%d authorised API calls", n)
			}
		})
	}
}
