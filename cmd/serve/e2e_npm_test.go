package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	appdemo "github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/browsertest"
	"github.com/gopkce/gopkce/cmd/internal/build"
)

// The npm package as an integrator meets it: npm pack of web/, installed
// into a small Vite app, type-checked, bundled by vite build, and signed in
// through in Chromium against the development provider.
func testNPMViteApp(t *testing.T) {
	root := ensureBuilt(t)
	requireNodeTools(t)
	work := t.TempDir()
	tarball := npmPack(t, root, work)
	app := filepath.Join(work, "app")
	os.Mkdir(app, 0o755)
	os.WriteFile(filepath.Join(app, "package.json"), []byte(`{"private": true, "type": "module"}`), 0o644)
	for _, f := range []string{"index.html", "main.ts", "global.ts"} {
		copyFile(t, filepath.Join("testdata", "viteapp", f), filepath.Join(app, f))
	}
	if out, err := npm(app, "install", "--offline", "--no-audit", "--no-fund", tarball); err != nil {
		t.Fatalf("npm install %s: %v\n%s", tarball, err, out)
	}
	pkg := filepath.Join(app, "node_modules", "gopkce")
	// The package carries the wasm_exec.js of the Go that built the module.
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	goExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(pkg, "wasm_exec.js")); err != nil || string(b) != string(goExec) {
		t.Fatalf("the package's wasm_exec.js differs from the toolchain's (%v)", err)
	}
	for _, f := range []string{"gopkce.wasm", "gopkce.mjs", "gopkce.js", "gopkce.d.ts", "gopkce.d.mts", "README.md", "LICENSE"} {
		if _, err := os.Stat(filepath.Join(pkg, f)); err != nil {
			t.Errorf("the package lacks %s", f)
		}
	}
	for _, f := range []string{"app.js", "index.html", "style.css", "gopkce.wasm.br"} {
		if _, err := os.Stat(filepath.Join(pkg, f)); err == nil {
			t.Errorf("the package ships %s, which is not gopkce", f)
		}
	}
	tsc(t, app, "main.ts", "global.ts")
	node(t, app, "vite/bin/vite.js", "build", "--logLevel", "warn")
	wasm, _ := filepath.Glob(filepath.Join(app, "dist", "assets", "gopkce-*.wasm"))
	if len(wasm) != 1 {
		t.Fatalf("vite build did not emit gopkce.wasm as an asset: %v", wasm)
	}

	// Precompress the module as a deployment would (web/doc/embedding.md, Headers), at a
	// low level: compressing 5 MB on the first request, at the level the
	// site uses, takes longer than the page waits when the race detector
	// slows the server.
	data, err := os.ReadFile(wasm[0])
	if err != nil {
		t.Fatal(err)
	}
	br, err := build.BrotliLevel(data, 1)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(wasm[0]+".br", br, 0o644)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	zw.Write(data)
	zw.Close()
	os.WriteFile(wasm[0]+".gz", gz.Bytes(), 0o644)

	// The built app, served by serve -web.
	e := newE2E(t, e2eOptions{web: filepath.Join(app, "dist"), anyLoopback: true})
	ctx := e.browser
	e.login(ctx, "/", "vite@example.com")
	e.do(ctx, chromedp.Poll[chromedp.Void](`document.getElementById("api").dataset.status`))
	if s := e.text(ctx, "#api"); !strings.Contains(s, `"username":"vite@example.com"`) {
		t.Fatalf("/api/me through gopkce.fetch: %s", s)
	}
	if n := e.idp.TokenRequests("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges", n)
	}

	// The same app on Vite's dev server, on its own origin: the
	// development provider accepts its loopback redirect URI and allows
	// CORS from it.
	port := browsertest.FreePort(t)
	dev := fmt.Sprintf("http://127.0.0.1:%d", port)
	p := appdemo.DevProvider(e.idp.Issuer())
	cfg, _ := json.Marshal(map[string]any{"api": p.API, "gopkce": map[string]any{
		"issuer": p.Issuer, "authorizationEndpoint": p.AuthorizationEndpoint, "tokenEndpoint": p.TokenEndpoint,
		"clientId": p.ClientID, "redirectUri": dev + "/callback", "scope": p.Scope, "apiOrigins": []string{p.Issuer},
	}})
	os.Mkdir(filepath.Join(app, "public"), 0o755)
	os.WriteFile(filepath.Join(app, "public", "config.json"), cfg, 0o644)
	vite := exec.Command("node", filepath.Join(requireNodeTools(t), "node_modules", "vite", "bin", "vite.js"),
		"--host", "127.0.0.1", "--port", fmt.Sprint(port), "--strictPort", "--logLevel", "warn")
	vite.Dir = app
	var viteOut bytes.Buffer
	vite.Stdout, vite.Stderr = &viteOut, &viteOut
	if err := vite.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		vite.Process.Kill()
		vite.Wait()
		if t.Failed() {
			t.Logf("vite dev server:\n%s", viteOut.String())
		}
	})
	for i := 0; ; i++ {
		if resp, err := http.Get(dev + "/"); err == nil {
			resp.Body.Close()
			break
		}
		if i == 200 {
			t.Fatalf("vite dev server did not start: %s", viteOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.do(ctx, chromedp.Navigate(dev+"/"))
	e.waitFor(ctx, `document.body.dataset.ready === "true" && !document.getElementById("logged-out").hidden`)
	e.do(ctx, chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible))
	e.waitFor(ctx, `!!document.getElementById("username")`)
	e.do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), "dev-server"),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
	)
	e.waitFor(ctx, `location.origin === `+jsString(dev)+` && !!document.getElementById("api").dataset.status`)
	if s := e.text(ctx, "#api"); !strings.Contains(s, `"username":"dev-server"`) {
		t.Fatalf("/api/me from the dev server's page: %s", s)
	}
}

// npmPack runs npm pack in the module's web/ and returns the tarball,
// written to dir.
func npmPack(t *testing.T, root, dir string) string {
	t.Helper()
	out, err := npm(filepath.Join(root, "web"), "pack", "--pack-destination", dir)
	if err != nil {
		t.Fatalf("npm pack: %v\n%s", err, out)
	}
	lines := strings.Fields(strings.TrimSpace(string(out)))
	tarball := filepath.Join(dir, lines[len(lines)-1])
	if !strings.HasSuffix(tarball, ".tgz") {
		t.Fatalf("npm pack printed %q", out)
	}
	return tarball
}
