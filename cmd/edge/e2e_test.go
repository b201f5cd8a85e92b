//go:build !(js && wasm)

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/build"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// The end-to-end test of the edge: the worker built as for deployment,
// run by `wrangler dev` (workerd on this machine, offline), and the demo
// driven in headless Chromium against the development provider running
// natively on loopback.

// chromium finds the browser: $GOPKCE_CHROME, then Debian's chromium.
func chromium(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("GOPKCE_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("Chromium not found (install Debian's chromium or set GOPKCE_CHROME); browser tests cannot be skipped in CI")
	}
	tb.Skip("Chromium not found: install Debian's chromium (./build.sh test does) or set GOPKCE_CHROME")
	return ""
}

var (
	installOnce sync.Once
	installErr  error
)

// wrangler returns cmd/edge's wrangler, installing the pinned version with
// npm ci when node_modules lacks it. A failed install fails the test: the
// edge is never skipped.
func wrangler(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "node_modules", ".bin", "wrangler")
	installOnce.Do(func() {
		if _, err := os.Stat(bin); err == nil {
			return // cached: node_modules outlives a test run
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			installErr = fmt.Errorf("npm not found: the edge test installs wrangler with it (Debian: apt-get install npm)")
			return
		}
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			installErr = fmt.Errorf("npm ci in cmd/edge: %v\n%s", err, out)
		}
	})
	if installErr != nil {
		tb.Fatal(installErr)
	}
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("wrangler missing after npm ci: %v", err)
	}
	return bin
}

// freePort returns a loopback port that was free a moment ago.
func freePort(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// edge is the worker under `wrangler dev`, the development provider, and
// a browser.
type edge struct {
	tb      testing.TB
	site    string
	idp     *devidp.Server
	browser context.Context
	log     *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startEdge(tb testing.TB, accessTTL time.Duration) *edge {
	tb.Helper()
	chrome := chromium(tb)
	root, err := build.ModuleRoot(".")
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(root, "cmd", "edge")
	bin := wrangler(tb, dir)
	if err := run(nil, io.Discard, io.Discard); err != nil { // the build wrangler deploys
		tb.Fatalf("building the worker: %v", err)
	}

	port := freePort(tb)
	site := fmt.Sprintf("http://127.0.0.1:%d", port)
	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	issuer := "http://" + idpLn.Addr().String()
	idp, err := devidp.New(issuer, devidp.Options{
		AccessTokenTTL: accessTTL,
		Clients: []devidp.Client{{
			ID: app.DevClientID, RedirectURIs: []string{site + "/callback"}, LogoutURIs: []string{site + "/"},
		}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	srv := app.Server(idp.Handler())
	go srv.Serve(idpLn)
	tb.Cleanup(func() { srv.Close() })

	p := app.DevProvider(issuer)
	vars := map[string]string{
		"SITE_URL": site, "ISSUER": p.Issuer, "AUTHORIZATION_ENDPOINT": p.AuthorizationEndpoint,
		"TOKEN_ENDPOINT": p.TokenEndpoint, "LOGOUT_ENDPOINT": p.LogoutEndpoint, "CLIENT_ID": p.ClientID,
		"SCOPE": p.Scope, "ISS_PARAMETER_SUPPORTED": "true", "API": p.API,
		"REFRESH_MARGIN_SECONDS": "3", "REFRESH_TOKEN_LIFETIME": "cognito",
	}
	args := []string{"dev", "--ip", "127.0.0.1", "--port", fmt.Sprint(port), "--inspector-port", fmt.Sprint(freePort(tb)),
		"--log-level", "info", "--show-interactive-dev-session=false"}
	for k, v := range vars {
		args = append(args, "--var", k+":"+v)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"WRANGLER_SEND_METRICS=false",       // no telemetry
		"WRANGLER_SEND_ERROR_REPORTS=false", // no crash reports
		"WRANGLER_HIDE_BANNER=true",         // no update check against the registry
		"XDG_CONFIG_HOME="+tb.TempDir(),     // no state in the user's config
		"CI=1",                              // no interactive prompts
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // workerd is a child: end the group
	log := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if tb.Failed() {
			tb.Logf("wrangler dev:\n%s", log.String())
		}
	})
	// Ready when the worker answers.
	for {
		resp, err := http.Get(site + "/config.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
			tb.Fatalf("/config.json: %s\n%s", resp.Status, log.String())
		}
		select {
		case <-exited:
			tb.Fatalf("wrangler dev exited:\n%s", log.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Since(start) > 2*time.Minute {
			tb.Fatalf("wrangler dev not ready after 2 min:\n%s", log.String())
		}
	}
	tb.Logf("wrangler dev ready in %v", time.Since(start).Round(time.Millisecond))

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.UserDataDir(tb.TempDir()),
		)...)
	ctx, cancel := chromedp.NewContext(alloc)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("starting Chromium: %v", err)
	}
	e := &edge{tb: tb, site: site, idp: idp, browser: ctx, log: log}
	e.watch()
	return e
}

// watch fails the test on a console error or an uncaught exception.
func (e *edge) watch() {
	msgs := chromedp.Console(e.browser)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				e.tb.Errorf("browser console: %s", m)
			}
		}
	}()
}

func (e *edge) do(steps ...chromedp.Action[chromedp.Void]) {
	e.tb.Helper()
	ctx, cancel := context.WithTimeout(e.browser, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		e.tb.Fatalf("browser: %v\nwrangler dev:\n%s", err, e.log.String())
	}
}

func evalJS[T any](e *edge, expr string) T {
	e.tb.Helper()
	ctx, cancel := context.WithTimeout(e.browser, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		e.tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// ready waits for the demo page's start-up: "true" once it started
// without an error.
func (e *edge) ready() string {
	e.tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		// A navigation can replace the document under the poll: poll again.
		ctx, cancel := context.WithTimeout(e.browser, 5*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Poll[string](`document.readyState !== "loading" && document.body && document.body.dataset.ready`,
			chromedp.WithPollingInterval(20*time.Millisecond)))
		cancel()
		if err == nil {
			return v
		}
		if time.Now().After(deadline) {
			e.tb.Fatalf("page never became ready: %v\nwrangler dev:\n%s", err, e.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tokensJS is the stored token set of the page, as JSON ("{}" when none).
const tokensJS = `JSON.stringify(Object.fromEntries(Object.entries(sessionStorage).filter(([k]) => k.startsWith("gopkce:tokens:"))))`

func (e *edge) storedTokens() string { return evalJS[string](e, tokensJS) }

func TestEdgeE2E(t *testing.T) {
	e := startEdge(t, 4*time.Second)

	// The module comes from the worker, precompressed, with the site's
	// headers.
	var hdr http.Header
	resp, err := http.Get(e.site + "/gopkce.wasm")
	if err != nil {
		t.Fatal(err)
	}
	hdr = resp.Header
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || hdr.Get("Content-Type") != "application/wasm" || hdr.Get("ETag") == "" ||
		!strings.Contains(hdr.Get("Content-Security-Policy"), "connect-src 'self' "+e.idp.Issuer()) || hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("/gopkce.wasm: %s %v", resp.Status, hdr)
	}

	// Login: the site's button, the provider's page, back to the callback
	// served by the worker.
	e.do(chromedp.Navigate(e.site + "/"))
	if got := e.ready(); got != "true" {
		t.Fatalf("fresh page ready state %q", got)
	}
	e.do(chromedp.WaitVisible(chromedp.ID("logged-out")))
	e.do(
		chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "edge-user"),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
	)
	if got := e.ready(); got != "true" {
		t.Fatalf("after login the page's ready state is %q; error shown: %s", got,
			evalJS[string](e, `document.getElementById("error").textContent`))
	}
	e.do(chromedp.WaitVisible(chromedp.ID("logged-in")))
	if who := evalJS[string](e, `document.getElementById("who").textContent`); !strings.Contains(who, "edge-user") {
		t.Fatalf("signed in as %q", who)
	}
	if loc := evalJS[string](e, `location.href`); loc != e.site+"/" {
		t.Fatalf("after the callback the page is %s", loc)
	}
	if n := e.idp.TokenSuccesses("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges", n)
	}

	// Refresh: the 4 s token is within the 3 s margin after 1.2 s.
	before := e.storedTokens()
	if before == "{}" {
		t.Fatal("no tokens stored after login")
	}
	time.Sleep(1200 * time.Millisecond)
	e.do(chromedp.Click(chromedp.ID("refresh")))
	ctx, cancel := context.WithTimeout(e.browser, 15*time.Second)
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`%s !== %q`, tokensJS, before), chromedp.WithPollingInterval(50*time.Millisecond)))
	cancel()
	if err != nil {
		t.Fatalf("tokens unchanged after refresh: %v", err)
	}
	if n := e.idp.TokenSuccesses("refresh_token"); n < 1 {
		t.Fatalf("%d refreshes at the provider", n)
	}

	// The API call with the bearer token.
	e.do(chromedp.Click(chromedp.ID("call-api")))
	ctx, cancel = context.WithTimeout(e.browser, 15*time.Second)
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("api-result").textContent.includes("edge-user")`, chromedp.WithPollingInterval(50*time.Millisecond)))
	cancel()
	if err != nil {
		t.Fatalf("API call: %v; shows %q", err, evalJS[string](e, `document.getElementById("api-result").textContent`))
	}

	// Logout: through the provider, back to the worker's page, signed out.
	e.do(chromedp.Click(chromedp.ID("logout")))
	time.Sleep(100 * time.Millisecond)
	if got := e.ready(); got != "true" {
		t.Fatalf("after logout the page's ready state is %q", got)
	}
	e.do(chromedp.WaitVisible(chromedp.ID("logged-out")))
	if e.storedTokens() != "{}" {
		t.Fatal("tokens kept after logout")
	}
	if v := e.idp.LogoutVisits(); len(v) != 1 || v[0].Get("logout_uri") != e.site+"/" {
		t.Fatalf("provider logout visits: %v", v)
	}
	t.Logf("wrangler dev:\n%s", e.log.String())
}
