package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/browsertest"
	"github.com/gopkce/gopkce/cmd/internal/build"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

var (
	buildOnce sync.Once
	buildErr  error
	rootDir   string
)

// ensureBuilt builds web/gopkce.wasm once per test binary when stale.
func ensureBuilt(tb testing.TB) string {
	buildOnce.Do(func() {
		rootDir, buildErr = build.ModuleRoot(".")
		if buildErr == nil {
			buildErr = build.Ensure(rootDir, io.Discard)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return rootDir
}

// e2e is one end-to-end environment: the demo site and the development
// provider on free loopback ports, and a fresh headless Chromium profile.
type e2e struct {
	*browsertest.Browser // Logf, Expect, NewTab
	tb                   testing.TB
	st                   *stack
	idp                  *devidp.Server
	site                 string
	browser              context.Context // the first tab
}

type e2eOptions struct {
	refreshMode   devidp.RefreshMode
	accessTTL     time.Duration
	refreshMargin time.Duration
	storage       string
	lifetime      string
	configHook    func(map[string]any)
	tokenHandler  bool   // -token-handler: the confidential client behind /oauth/
	authStyle     string // -auth-style; default client_secret_basic

	bff    bool             // -bff: the backend for frontend at /bff/
	bffNow func() time.Time // the backend for frontend's clock

	// bench serves the benchmark pages under /bench/ (bench_pages_test.go).
	bench bool
	// web is the site directory when not the demo's (web/ of the module).
	web string
	// gopkceFiles serves gopkce's own files from the module's web/ when
	// web lacks them, as serve -web does.
	gopkceFiles bool
	// anyLoopback makes the development provider accept any loopback
	// redirect URI, as serve does by default.
	anyLoopback bool
}

func newE2E(tb testing.TB, eo e2eOptions) *e2e {
	tb.Helper()
	b := browsertest.New(tb)
	root := ensureBuilt(tb)
	o := options{
		addr: "127.0.0.1:0", idpAddr: "127.0.0.1:0", web: filepath.Join(root, "web"),
		refreshMode: string(devidp.Cognito), accessTTL: time.Hour, storage: "session",
		refreshMargin: 60 * time.Second, refreshTokenLifetime: "cognito", configHook: eo.configHook,
	}
	if eo.web != "" {
		o.web = eo.web
	}
	o.anyLoopback = eo.anyLoopback
	if eo.gopkceFiles {
		o.gopkceWeb = filepath.Join(root, "web")
	}
	if eo.refreshMode != "" {
		o.refreshMode = string(eo.refreshMode)
	}
	if eo.accessTTL != 0 {
		o.accessTTL = eo.accessTTL
	}
	if eo.refreshMargin != 0 {
		o.refreshMargin = eo.refreshMargin
	}
	if eo.storage != "" {
		o.storage = eo.storage
	}
	if eo.lifetime != "" {
		o.refreshTokenLifetime = eo.lifetime
	}
	o.tokenHandler, o.authStyle, o.m2mScope = eo.tokenHandler, "client_secret_basic", "api/write"
	if eo.authStyle != "" {
		o.authStyle = eo.authStyle
	}
	o.bff, o.bffNow = eo.bff, eo.bffNow
	if eo.bench {
		o.wrapSite = benchPages
	}
	e := &e2e{Browser: b, tb: tb}
	st, err := start(o, io.Discard, b.Writer("server: "))
	if err != nil {
		tb.Fatal(err)
	}
	e.st, e.idp, e.site = st, st.idp, st.siteURL
	tb.Cleanup(func() { st.shutdown(context.Background()) })
	e.browser = b.Start()
	return e
}

func (e *e2e) do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	e.tb.Helper()
	browsertest.Do(e.tb, ctx, steps...)
}

// eval evaluates expression (awaiting a Promise) and decodes the result.
func eval[T any](e *e2e, ctx context.Context, expression string) T {
	e.tb.Helper()
	return browsertest.Eval[T](e.tb, ctx, expression)
}

// jsResult is the outcome of a gopkce call made in the page.
type jsResult struct {
	OK          json.RawMessage `json:"ok"`
	Code        string          `json:"code"`
	Message     string          `json:"message"`
	Description string          `json:"description"`
}

// call runs a gopkce expression in the page and returns its value or error.
func (e *e2e) call(ctx context.Context, expr string) jsResult {
	e.tb.Helper()
	return eval[jsResult](e, ctx, `(async () => {
		try { return { ok: await (`+expr+`) ?? null }; }
		catch (err) { return { code: err.code || "", message: String(err.message), description: err.description || "" }; }
	})()`)
}

// waitReady waits until the demo page finished its start-up.
func (e *e2e) waitReady(ctx context.Context) string {
	e.tb.Helper()
	return browsertest.Ready(e.tb, ctx)
}

// login signs in through the provider's page as a user would: the site's
// "Log in" button, the user name field, the "Sign in" button.
func (e *e2e) login(ctx context.Context, path, user string) {
	e.tb.Helper()
	e.do(ctx, chromedp.Navigate(e.site+path))
	e.waitReady(ctx)
	e.clickLogin(ctx, user)
	e.waitLoggedIn(ctx)
}

// clickLogin clicks the site's "Log in", types the user name on the
// provider's page and clicks "Sign in".
func (e *e2e) clickLogin(ctx context.Context, user string) {
	e.tb.Helper()
	e.do(ctx,
		chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
	)
}

func (e *e2e) waitLoggedIn(ctx context.Context) {
	e.tb.Helper()
	if got := e.waitReady(ctx); got != "true" {
		e.tb.Fatalf("page ready state %q; error shown: %s", got, e.text(ctx, "#error"))
	}
	e.do(ctx, chromedp.WaitVisible(chromedp.ID("logged-in")))
}

// text returns an element's textContent.
func (e *e2e) text(ctx context.Context, css string) string {
	return eval[string](e, ctx, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, css))
}

// shownError returns the code and description the page shows, or "".
func (e *e2e) shownError(ctx context.Context) (code, desc string) {
	if eval[bool](e, ctx, `document.getElementById("error").hidden`) {
		return "", ""
	}
	return e.text(ctx, "#error-code"), e.text(ctx, "#error-description")
}

// storage returns sessionStorage, localStorage or gopkce's IndexedDB store
// ("indexedDB", where storage "local" keeps tokens) as a map.
func (e *e2e) storage(ctx context.Context, which string) map[string]string {
	e.tb.Helper()
	return browsertest.Storage(e.tb, ctx, which)
}

// tokens returns the stored token set of the demo client, or nil.
func (e *e2e) tokens(ctx context.Context, which string) map[string]any {
	e.tb.Helper()
	for _, v := range browsertest.TokenRecords(e.tb, ctx, which) {
		var m map[string]any
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			e.tb.Fatalf("stored tokens: %v", err)
		}
		return m
	}
	return nil
}

// pendingLogins counts stored login attempts.
func (e *e2e) pendingLogins(ctx context.Context) int {
	n := 0
	for k := range e.storage(ctx, "sessionStorage") {
		if strings.HasPrefix(k, "gopkce:login:") {
			n++
		}
	}
	return n
}

// getTokenInTabs calls getToken n times at once in each tab, all tabs at
// the same time, and returns each tab's tokens. Any rejection or a missing
// result fails the test.
func (e *e2e) getTokenInTabs(n int, tabs ...context.Context) [][]string {
	e.tb.Helper()
	return inTabs[string](e, n, `gopkce.getToken()`, tabs...)
}

// inTabs evaluates call, a promise of a T, n times at once in each tab,
// all tabs at the same time, and returns each tab's results. Any rejection
// or a missing result fails the test.
func inTabs[T any](e *e2e, n int, call string, tabs ...context.Context) [][]T {
	e.tb.Helper()
	var wg sync.WaitGroup
	results := make([][]T, len(tabs))
	errs := make([]error, len(tabs))
	for i, tab := range tabs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(tab, 20*time.Second)
			defer cancel()
			results[i], errs[i] = chromedp.Run(ctx, chromedp.Evaluate[[]T](
				`Promise.all(Array.from({length: `+strconv.Itoa(n)+`}, () => `+call+`))`, chromedp.EvalAwaitPromise))
		})
	}
	wg.Wait()
	for i := range tabs {
		if errs[i] != nil || len(results[i]) != n {
			e.tb.Fatalf("tab %d: %v (%d results)", i+1, errs[i], len(results[i]))
		}
	}
	return results
}
