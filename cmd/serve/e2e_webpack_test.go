package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	appdemo "github.com/gopkce/gopkce/cmd/internal/app"
)

// The npm package bundled by webpack 5 with no configuration, as the
// docs' import suggests: npx webpack --mode production turns src/index.js
// into dist/main.js, which the page loads as a classic deferred script.
// The output is served by a plain static server (http.FileServer), not by
// serve -web, which would answer /gopkce.wasm with its own copy: only the
// asset webpack emitted can load the module.
func testNPMWebpackApp(t *testing.T) {
	root := ensureBuilt(t)
	requireNodeTools(t)
	work := t.TempDir()
	tarball := npmPack(t, root, work)
	app := filepath.Join(work, "app")
	os.MkdirAll(filepath.Join(app, "src"), 0o755)
	os.WriteFile(filepath.Join(app, "package.json"), []byte(`{"private": true}`), 0o644)
	copyFile(t, filepath.Join("testdata", "webpackapp", "src", "index.js"), filepath.Join(app, "src", "index.js"))
	if out, err := npm(app, "install", "--offline", "--no-audit", "--no-fund", tarball); err != nil {
		t.Fatalf("npm install %s: %v\n%s", tarball, err, out)
	}
	node(t, app, "webpack-cli/bin/cli.js", "--mode", "production")
	dist := filepath.Join(app, "dist")
	copyFile(t, filepath.Join("testdata", "webpackapp", "index.html"), filepath.Join(dist, "index.html"))
	wasm, _ := filepath.Glob(filepath.Join(dist, "*.wasm"))
	if len(wasm) != 1 || filepath.Base(wasm[0]) == "gopkce.wasm" {
		t.Fatalf("webpack did not emit the module as a hashed asset: %v", wasm)
	}

	// The development provider, which accepts any loopback redirect URI
	// and allows CORS from it; the demo site beside it is not used.
	e := newE2E(t, e2eOptions{anyLoopback: true})
	var (
		mu        sync.Mutex
		requested []string
	)
	files := http.FileServer(http.Dir(dist))
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requested = append(requested, r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/callback" {
			r.URL.Path = "/" // the SPA's route, as any static host's rewrite
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(static.Close)
	p := appdemo.DevProvider(e.idp.Issuer())
	cfg, _ := json.Marshal(map[string]any{"api": p.API, "gopkce": map[string]any{
		"issuer": p.Issuer, "authorizationEndpoint": p.AuthorizationEndpoint, "tokenEndpoint": p.TokenEndpoint,
		"clientId": p.ClientID, "redirectUri": static.URL + "/callback", "scope": p.Scope, "apiOrigins": []string{p.Issuer},
	}})
	os.WriteFile(filepath.Join(dist, "config.json"), cfg, 0o644)

	ctx := e.browser
	e.do(ctx, chromedp.Navigate(static.URL+"/"))
	e.waitFor(ctx, `!!document.body.dataset.ready`)
	if s := e.text(ctx, "#error"); s != "" {
		t.Fatalf("the webpack app failed to start: %s", s)
	}
	e.do(ctx, chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible))
	e.waitFor(ctx, `!!document.getElementById("username")`)
	e.do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), "webpack"),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
	)
	e.waitFor(ctx, `location.origin === `+jsString(static.URL)+` && (!!document.getElementById("api").dataset.status || document.body.dataset.ready === "error")`)
	if s := e.text(ctx, "#api"); !strings.Contains(s, `"username":"webpack"`) {
		t.Fatalf("/api/me from the webpack app: %q; error: %s", s, e.text(ctx, "#error"))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, path := range requested {
		if path == "/gopkce.wasm" {
			t.Errorf("the page asked for /gopkce.wasm, beside the bundle, rather than the asset webpack emitted (%s)", filepath.Base(wasm[0]))
		}
	}
}
