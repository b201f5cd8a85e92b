package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gopkce/gopkce/cmd/internal/browsertest"
)

// waitFor polls expr until it is true, across navigations.
func (e *e2e) waitFor(ctx context.Context, expr string) {
	e.tb.Helper()
	browsertest.Poll[bool](e.tb, ctx, expr)
}

// devIssuer is the development provider's address in the pages'
// snippets: serve's default -idp-addr. Tests run it on a free port.
const devIssuer = "http://127.0.0.1:8081"

// docSnippet is one fenced code block of a documentation page.
type docSnippet struct {
	page   string // relative to the module root
	line   int    // of the opening fence
	lang   string // the fence's language
	name   string // from a "<!-- snippet: NAME -->" line before the fence
	notRun string // the reason of a "<!-- not run: REASON -->" line before the fence
	body   string
}

func (s docSnippet) where() string { return fmt.Sprintf("%s:%d", s.page, s.line) }

// The markers, each on the line right before a fence.
const (
	snippetMarker = "<!-- snippet: "
	notRunMarker  = "<!-- not run: "
	markerEnd     = " -->"
)

// docPages returns the pages whose snippets are tested, relative to the
// module root: the README, the map of wasm/, the npm package's README and
// every page of web/doc.
func docPages(tb testing.TB, root string) []string {
	tb.Helper()
	pages, err := filepath.Glob(filepath.Join(root, "web", "doc", "*.md"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(pages) == 0 {
		tb.Fatal("web/doc holds no page")
	}
	out := []string{"README.md", filepath.Join("wasm", "README.md"), filepath.Join("web", "README.md")}
	for _, p := range pages {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, rel)
	}
	sort.Strings(out[3:])
	return out
}

// docSnippets returns the fenced code blocks of a page. A marker that is
// not right before a fence, an indented fence or an unclosed block fails
// the test: none of them may hide a snippet.
func docSnippets(tb testing.TB, root, page string) []docSnippet {
	tb.Helper()
	f, err := os.Open(filepath.Join(root, page))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []docSnippet
	var cur *docSnippet
	var body strings.Builder
	var name, notRun string
	markerLine := 0
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur != nil && line == "```":
			cur.body = body.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line + "\n")
		case strings.HasPrefix(line, "```"):
			cur = &docSnippet{page: page, line: n, lang: strings.TrimPrefix(line, "```"), name: name, notRun: notRun}
			body.Reset()
			name, notRun, markerLine = "", "", 0
		case strings.HasPrefix(strings.TrimSpace(line), "```"):
			tb.Errorf("%s:%d: an indented fence; start code blocks at the beginning of a line", page, n)
		case markerLine != 0:
			tb.Errorf("%s:%d: the marker is not right before a code block", page, markerLine)
			name, notRun, markerLine = "", "", 0
		}
		if cur == nil && strings.HasSuffix(line, markerEnd) {
			switch {
			case strings.HasPrefix(line, snippetMarker):
				name = strings.TrimSuffix(strings.TrimPrefix(line, snippetMarker), markerEnd)
				markerLine = n
			case strings.HasPrefix(line, notRunMarker):
				notRun = strings.TrimSuffix(strings.TrimPrefix(line, notRunMarker), markerEnd)
				markerLine = n
			}
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if cur != nil {
		tb.Errorf("%s:%d: a code block that is never closed", page, cur.line)
	}
	return out
}

// The snippets of every page (README.md, wasm/README.md, web/doc/*.md),
// as the contributor's map describes: named snippets make up an
// integrator's page that signs in; js blocks run in a page with gopkce
// loaded; go blocks compile; sh and text are not run, nor blocks marked
// "not run". Any other block fails.
func testREADMESnippets(t *testing.T) {
	root := ensureBuilt(t)
	named := map[string]docSnippet{}
	var js, goFiles []docSnippet
	for _, page := range docPages(t, root) {
		for _, s := range docSnippets(t, root, page) {
			switch {
			case s.name != "" && (s.lang == "html" || s.lang == "js"):
				if prev, dup := named[s.name]; dup {
					t.Errorf("%s: snippet %q is named at %s too", s.where(), s.name, prev.where())
				}
				named[s.name] = s
			case s.name != "":
				t.Errorf("%s: a named snippet must be html or js, not %q", s.where(), s.lang)
			case s.notRun != "" && (s.lang == "js" || s.lang == "go"):
			case s.notRun != "":
				t.Errorf("%s: %q blocks are never run; drop the marker", s.where(), s.lang)
			case s.lang == "js":
				js = append(js, s)
			case s.lang == "go":
				goFiles = append(goFiles, s)
			case s.lang == "sh" || s.lang == "text":
			default:
				t.Errorf("%s: a code block of language %q: use js, go, sh or text, or a named html or js snippet (web/doc/contributing.md, Snippets)", s.where(), s.lang)
			}
		}
	}
	used := map[string]bool{}
	for _, tc := range []struct {
		name  string
		files map[string]string // file in the page directory -> snippet
	}{
		{"classic_script", map[string]string{"index.html": "index.html", "app.js": "app.js"}},
		{"es_module", map[string]string{"index.html": "module index.html", "app.mjs": "app.mjs"}},
	} {
		for _, name := range tc.files {
			used[name] = true
		}
		t.Run(tc.name, func(t *testing.T) { testSnippetPage(t, named, tc.files) })
	}
	for name, s := range named {
		if !used[name] {
			t.Errorf("%s: snippet %q belongs to no page the test serves", s.where(), name)
		}
	}
	t.Run("go", func(t *testing.T) { testGoSnippets(t, root, goFiles) })
	t.Run("js", func(t *testing.T) { testJSSnippets(t, js) })
}

// testSnippetPage serves named snippets as the integrator's own page
// (serve -web): its script loads gopkce, a user logs in through the
// development provider, and the page shows /api/me, which it fetched
// with gopkce.fetch. A syntax error, an exception or a failed load in the
// page fails the test.
func testSnippetPage(t *testing.T, named map[string]docSnippet, files map[string]string) {
	dir := t.TempDir()
	for file, name := range files {
		s, ok := named[name]
		if !ok {
			t.Fatalf("no page has a snippet %q", name)
		}
		os.WriteFile(filepath.Join(dir, file), []byte(s.body), 0o644)
	}
	e := newE2E(t, e2eOptions{web: dir, gopkceFiles: true})
	ctx := e.browser
	// The snippets name the provider at serve's default address.
	for file := range files {
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
	// A reload with the live session: the page shows the API's answer
	// again, and fetches the module once.
	e.do(ctx, chromedp.Reload())
	e.waitFor(ctx, `!!(document.getElementById("out") || {}).textContent`)
	e.wantOneModuleRequest(ctx)
}

// wantOneModuleRequest checks that the page loaded the module with one
// request: the loader's, or the page's preload link's, whose response the
// loader then takes instead of asking again.
func (e *e2e) wantOneModuleRequest(ctx context.Context) {
	e.tb.Helper()
	e.waitFor(ctx, `gopkce.ready.then(() => true)`)
	got := eval[[]string](e, ctx, `performance.getEntriesByType("resource").filter(r => /\.wasm$/.test(new URL(r.name).pathname)).map(r => r.initiatorType)`)
	preload := eval[bool](e, ctx, `!!document.querySelector('link[rel="preload"][href*="gopkce"]')`)
	want := "fetch"
	if preload {
		want = "link"
	}
	if len(got) != 1 || got[0] != want {
		e.tb.Fatalf("requests for the module in one page load, by initiator: %v, want one by %s", got, want)
	}
}

// testGoSnippets compiles each go block, a complete file, inside this
// module, so that its imports resolve to this tree.
func testGoSnippets(t *testing.T, root string, snippets []docSnippet) {
	if len(snippets) == 0 {
		t.Fatal("no page has a go snippet: the token handler's page shows two")
	}
	// Each compiles as a Go user's program: a module of its own that
	// requires github.com/gopkce/gopkce, replaced by this checkout, as
	// web/doc/token-handler.md ("From a Go program") tells them.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snippets {
		dir := t.TempDir()
		file := filepath.Join(dir, "main.go")
		mod := "module example.com/app\n\ngo 1.26.8\n\nrequire github.com/gopkce/gopkce v0.0.0\n\nreplace github.com/gopkce/gopkce => " + root + "\n"
		for name, data := range map[string][]byte{"main.go": []byte(s.body), "go.mod": []byte(mod), "go.sum": sum} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, args := range [][]string{{"mod", "tidy"}, {"build", "-o", os.DevNull, "."}} {
			cmd := exec.Command("go", args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: go %s of the Go snippet in a module of its own: %v\n%s", s.where(), args[0], err, strings.ReplaceAll(string(out), file, s.where()))
				break
			}
		}
	}
}

// testJSSnippets runs each js block as the body of an async function in
// a page that has loaded wasm_exec.js and gopkce.js, one page per block.
// A throw or a rejection fails the test, and so does a console error
// (harness: unexpected browser console error).
func testJSSnippets(t *testing.T, snippets []docSnippet) {
	if len(snippets) == 0 {
		t.Fatal("no page has a js snippet to run")
	}
	dir := t.TempDir()
	e := newE2E(t, e2eOptions{web: dir, gopkceFiles: true})
	for i, s := range snippets {
		base := fmt.Sprintf("snippet-%d", i)
		body := strings.ReplaceAll(s.body, devIssuer, e.idp.Issuer())
		script := "// " + s.where() + "\nwindow.snippetResult = (async () => {\n" + body +
			"})().then(() => \"ok\", (err) => \"threw \" + (err && err.name) + \" \" + (err && err.code) + \": \" + (err && err.message));\n"
		page := `<!doctype html>
<meta charset="utf-8">
<title>` + s.where() + `</title>
<script src="/wasm_exec.js"></script>
<script src="/gopkce.js"></script>
<script src="/` + base + `.js"></script>
`
		if err := os.WriteFile(filepath.Join(dir, base+".js"), []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, base+".html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s.js is %s", base, s.where())
		e.do(e.browser, chromedp.Navigate(e.site+"/"+base+".html"))
		got := eval[string](e, e.browser, `window.snippetResult || Promise.resolve("the script did not run (a syntax error?)")`)
		if got != "ok" {
			t.Errorf("%s: the snippet %s", s.where(), got)
		}
	}
}
