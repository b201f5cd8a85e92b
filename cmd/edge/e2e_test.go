//go:build !(js && wasm)

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
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

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/browsertest"
	"github.com/gopkce/gopkce/cmd/internal/build"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// The end-to-end test of the edge: the worker built as for deployment,
// run by `wrangler dev` (workerd on this machine, offline), and the demo
// driven in headless Chromium against the development provider running
// natively on loopback.

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

// checkSize fails above Workers' free-plan script limit (the size is
// deterministic for a toolchain).
func checkSize(tb testing.TB, dir string) {
	tb.Helper()
	raw, gz, err := uploadSize(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("worker upload: %d bytes raw, %d gzip (limits: %d free, %d paid)", raw, gz, freeLimit, paidLimit)
	if gz > freeLimit {
		tb.Fatalf("the worker's upload is %d bytes after gzip: over Workers' free-plan limit of %d bytes", gz, freeLimit)
	}
}

// The development provider's clients for the edge.
const (
	edgeClientID = "gopkce-edge"
	edgeM2MID    = "gopkce-edge-m2m"
)

func randomString(tb testing.TB) string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
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
	return startEdgeWith(tb, accessTTL, false, nil)
}

// startEdgeWith starts the worker, with extra vars (or other values); with
// local, under the committed configuration `wrangler dev --env
// local-confidential --env-file local-confidential.env` against a
// development provider that registers what `go run ./cmd/serve`
// registers. Only the addresses are overridden, for free ports: the client
// ids and the secrets are the committed ones.
func startEdgeWith(tb testing.TB, accessTTL time.Duration, local bool, extra map[string]string) *edge {
	tb.Helper()
	browser := browsertest.New(tb)
	root, err := build.ModuleRoot(".")
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(root, "cmd", "edge")
	bin := wrangler(tb, dir)
	if err := run(nil, io.Discard, io.Discard); err != nil { // the build wrangler deploys
		tb.Fatalf("building the worker: %v", err)
	}
	checkSize(tb, filepath.Join(dir, "build"))

	port := browsertest.FreePort(tb)
	site := fmt.Sprintf("http://127.0.0.1:%d", port)
	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	issuer := "http://" + idpLn.Addr().String()
	secret, m2mSecret := randomString(tb), randomString(tb)
	clients := []devidp.Client{
		// The page's client, confidential: the worker's token handler
		// holds its secret.
		{ID: edgeClientID, Secret: secret, RedirectURIs: []string{site + "/callback"}, LogoutURIs: []string{site + "/"}},
		// The client_credentials client of POST /api/m2m.
		{ID: edgeM2MID, Secret: m2mSecret, Scopes: []string{"api/read", "api/write"}},
	}
	if local {
		public := devidp.Client{ID: app.DevClientID, AnyLoopback: true}
		clients = append([]devidp.Client{public}, devidp.DevClients(public, "")...)
	}
	idp, err := devidp.New(issuer, devidp.Options{
		AccessTokenTTL: accessTTL,
		Clients:        clients,
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
		"TOKEN_ENDPOINT": p.TokenEndpoint, "LOGOUT_ENDPOINT": p.LogoutEndpoint, "CLIENT_ID": edgeClientID,
		"SCOPE": p.Scope, "ISS_PARAMETER_SUPPORTED": "true", "API": p.API,
		"REFRESH_MARGIN_SECONDS": "3", "REFRESH_TOKEN_LIFETIME": "cognito",
		"REVOCATION_ENDPOINT": issuer + "/oauth2/revoke",
		"M2M_TOKEN_ENDPOINT":  p.TokenEndpoint, "M2M_CLIENT_ID": edgeM2MID, "M2M_SCOPE": "api/write",
		"M2M_API": issuer + "/api/records",
	}
	for k, v := range extra {
		if v == "" {
			delete(vars, k) // unset
			continue
		}
		vars[k] = strings.ReplaceAll(v, "{issuer}", issuer)
	}
	// Secrets as `wrangler secret put` would hold them: from a file, never
	// on the command line (other users can read a process's arguments).
	secrets := filepath.Join(tb.TempDir(), "secrets.env")
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.WriteFile(secrets, []byte("GOPKCE_CLIENT_SECRET="+secret+"\nGOPKCE_COOKIE_KEY="+base64.StdEncoding.EncodeToString(key)+
		"\nGOPKCE_M2M_CLIENT_SECRET="+m2mSecret+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	if local {
		vars = map[string]string{
			"SITE_URL": site, "ISSUER": p.Issuer, "AUTHORIZATION_ENDPOINT": p.AuthorizationEndpoint,
			"TOKEN_ENDPOINT": p.TokenEndpoint, "LOGOUT_ENDPOINT": p.LogoutEndpoint, "REVOCATION_ENDPOINT": p.RevocationEndpoint,
			"API": p.API, "M2M_TOKEN_ENDPOINT": p.TokenEndpoint, "M2M_API": issuer + "/api/records",
		}
		secrets = "local-confidential.env"
	}
	args := []string{"dev", "--ip", "127.0.0.1", "--port", fmt.Sprint(port), "--inspector-port", fmt.Sprint(browsertest.FreePort(tb)),
		"--log-level", "log", "--show-interactive-dev-session=false", "--env-file", secrets}
	if local {
		args = append(args, "--env", "local-confidential")
	}
	for k, v := range vars {
		args = append(args, "--var", k+":"+v)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"WRANGLER_SEND_METRICS=false",       // no telemetry
		"WRANGLER_SEND_ERROR_REPORTS=false", // no crash reports
		"WRANGLER_HIDE_BANNER=true",         // no update check against the registry
		"CLOUDFLARE_CF_FETCH_ENABLED=false", // no request.cf from workers.cloudflare.com
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
			io.Copy(io.Discard, resp.Body)
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
		if time.Since(start) > 4*time.Minute {
			tb.Fatalf("wrangler dev not ready after 4 min:\n%s", log.String())
		}
	}
	tb.Logf("wrangler dev ready in %v", time.Since(start).Round(time.Millisecond))
	// The first read of the module from the worker's assets is slow under
	// wrangler dev; read it once before a page loads it, so that the
	// page's load event is not held by a cold asset store.
	if resp, err := http.Get(site + "/gopkce.wasm"); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	return &edge{tb: tb, site: site, idp: idp, browser: browser.Start(), log: log}
}

func (e *edge) do(steps ...chromedp.Action[chromedp.Void]) {
	e.tb.Helper()
	browsertest.Do(e.tb, e.browser, steps...)
}

func evalJS[T any](e *edge, expr string) T {
	e.tb.Helper()
	return browsertest.Eval[T](e.tb, e.browser, expr)
}

// ready waits for the demo page's start-up: "true" once it started
// without an error.
func (e *edge) ready() string {
	e.tb.Helper()
	return browsertest.Ready(e.tb, e.browser)
}

// login opens the demo page and signs in as user on the development
// provider's page, back through the callback to a started page.
func (e *edge) login(user string) {
	e.tb.Helper()
	e.do(chromedp.Navigate(e.site + "/"))
	if got := e.ready(); got != "true" {
		e.tb.Fatalf("fresh page ready state %q", got)
	}
	e.do(
		chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
	)
	if got := e.ready(); got != "true" {
		e.tb.Fatalf("after login the page's ready state is %q; error shown: %s", got,
			evalJS[string](e, `document.getElementById("error").hidden ? "" : document.getElementById("error").textContent`))
	}
}

// storedTokens is the page's stored token sets, as JSON ("{}" when none).
// With the token handler tokens are shared by every tab: IndexedDB.
func (e *edge) storedTokens() string {
	e.tb.Helper()
	b, err := json.Marshal(browsertest.TokenRecords(e.tb, e.browser, "indexedDB"))
	if err != nil {
		e.tb.Fatal(err)
	}
	return string(b)
}

// cookies returns the browser's cookies for the site, HttpOnly included.
func (e *edge) cookies() map[string]*network.Cookie {
	e.tb.Helper()
	return browsertest.Cookies(e.tb, e.browser, e.site+"/")
}

// The demo through the worker in token-handler mode: the worker serves the
// site, exchanges the code and refreshes with the client secret over the
// Workers fetch, keeps the refresh token in a sealed HttpOnly cookie,
// revokes it on logout, and calls an API with a client_credentials token.
func TestEdgeE2E(t *testing.T) {
	e := startEdge(t, 4*time.Second)

	// The module comes from the worker with the site's headers.
	resp, err := http.Get(e.site + "/gopkce.wasm")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	hdr := resp.Header
	if resp.StatusCode != 200 || hdr.Get("Content-Type") != "application/wasm" || hdr.Get("ETag") == "" ||
		!strings.Contains(hdr.Get("Content-Security-Policy"), "connect-src 'self' "+e.idp.Issuer()) || hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("/gopkce.wasm: %s %v", resp.Status, hdr)
	}

	// A precompressed variant goes out as it is: encoded once, the bytes
	// of build/assets (worker.mjs's encodeBody "manual").
	for _, tc := range []struct{ accept, enc, file string }{{"br", "br", "gopkce.wasm.br"}, {"identity", "", "gopkce.wasm"}} {
		req, _ := http.NewRequest("GET", e.site+"/gopkce.wasm", nil)
		req.Header.Set("Accept-Encoding", tc.accept) // also turns off the client's own decoding
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("build", "assets", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") != tc.enc || !bytes.Equal(got, want) {
			t.Fatalf("Accept-Encoding %s: Content-Encoding %q, %d bytes; want %q and the %d bytes of %s",
				tc.accept, resp.Header.Get("Content-Encoding"), len(got), tc.enc, len(want), tc.file)
		}
	}

	// Login: the site's button, the provider's page, back to the callback;
	// the code is exchanged by the worker.
	e.login("edge-user")
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
	rts := e.idp.RefreshTokensOf(edgeClientID)
	if len(rts) != 1 {
		t.Fatalf("%d refresh tokens issued to the worker's client", len(rts))
	}
	rt := rts[0]
	stored := e.storedTokens()
	if stored == "{}" || strings.Contains(stored, rt) || strings.Contains(stored, `\"refresh_token\"`) {
		t.Fatalf("stored tokens: %s", stored)
	}
	c := e.cookies()["gopkce-rt"]
	if c == nil || !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Path != "/" || strings.Contains(c.Value, rt) {
		t.Fatalf("refresh-token cookie %+v", c)
	}

	// Refresh through the worker: the 4 s token is within the 3 s margin
	// after 1.2 s.
	time.Sleep(1200 * time.Millisecond)
	e.do(chromedp.Click(chromedp.ID("refresh")))
	for deadline := time.Now().Add(15 * time.Second); e.storedTokens() == stored; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("tokens unchanged after refresh\nwrangler dev:\n%s", e.log.String())
		}
	}
	if n := e.idp.TokenSuccesses("refresh_token"); n < 1 {
		t.Fatalf("%d refreshes at the provider", n)
	}

	// The API with the bearer token, from the page.
	e.do(chromedp.Click(chromedp.ID("call-api")))
	browsertest.Poll[bool](t, e.browser, `document.getElementById("api-result").textContent.includes("edge-user")`)

	// The server-side call with a client_credentials token, twice: one
	// token request, as the Go program outlives a request.
	for i := 1; i <= 2; i++ {
		e.do(chromedp.Click(chromedp.ID("call-m2m"), chromedp.NodeVisible))
		browsertest.Poll[bool](t, e.browser, fmt.Sprintf(`document.getElementById("m2m-result").dataset.status === "201" && document.getElementById("m2m-result").textContent.includes('"calls": %d')`, i))
	}
	if got := evalJS[string](e, `document.getElementById("m2m-result").textContent`); strings.Contains(got, "eyJ") || !strings.Contains(got, "api/write") {
		t.Fatalf("m2m result: %s", got)
	}
	if n := e.idp.TokenRequests("client_credentials"); n != 1 {
		t.Fatalf("%d client_credentials requests for two calls", n)
	}

	// Logout: the worker revokes the refresh token; through the provider
	// back to the worker's page, signed out, the cookie gone.
	if got := browsertest.ReadyAfter(t, e.browser, chromedp.Click(chromedp.ID("logout"))); got != "true" {
		t.Fatalf("after logout the page's ready state is %q", got)
	}
	e.do(chromedp.WaitVisible(chromedp.ID("logged-out")))
	if e.storedTokens() != "{}" {
		t.Fatal("tokens kept after logout")
	}
	if e.idp.RefreshTokenValid(rt) || e.idp.Revocations() != 1 {
		t.Fatalf("the refresh token was not revoked (%d revocations)", e.idp.Revocations())
	}
	if _, still := e.cookies()["gopkce-rt"]; still {
		t.Fatal("the cookie survived logout")
	}
	if v := e.idp.LogoutVisits(); len(v) != 1 || v[0].Get("logout_uri") != e.site+"/" {
		t.Fatalf("provider logout visits: %v", v)
	}
	// The worker's access log (console.log, shown by wrangler dev) names
	// paths only: the callback's code and state never reach a log.
	l := e.log.String()
	if !strings.Contains(l, `GET "/callback" 200`) {
		t.Fatalf("the worker's access log lacks the callback:\n%s", l)
	}
	if strings.Contains(l, "code=") || strings.Contains(l, "state=") {
		t.Fatalf("a query string reached the log:\n%s", l)
	}
	t.Logf("wrangler dev:\n%s", l)
}

// The committed local configuration (wrangler.toml's local-confidential
// environment and local-confidential.env) runs the token handler and the
// machine-to-machine card against the development provider, offline.
func TestEdgeLocalConfidential(t *testing.T) {
	e := startEdgeWith(t, time.Hour, true, nil)
	e.login("local-user")
	if n := e.idp.TokenSuccesses("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges by the token handler", n)
	}
	if s := e.storedTokens(); strings.Contains(s, "refresh_token\":") {
		t.Fatalf("a refresh token reached the page: %s", s)
	}
	e.do(chromedp.Click(chromedp.ID("call-m2m"), chromedp.NodeVisible))
	browsertest.Poll[bool](t, e.browser, `document.getElementById("m2m-result").dataset.status === "201"`)
	if got := evalJS[string](e, `document.getElementById("m2m-result").textContent`); strings.Contains(got, "eyJ") || !strings.Contains(got, devidp.DevM2MClientID) {
		t.Fatalf("m2m result: %s", got)
	}
}
