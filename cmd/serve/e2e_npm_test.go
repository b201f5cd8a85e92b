package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The npm package as an integrator meets it: npm pack of web/, installed
// into a small Vite app, type-checked, bundled by vite build, and signed in
// through in Chromium against the development provider.
func testNPMViteApp(t *testing.T) {
	root := ensureBuilt(t)
	requireNodeTools(t)
	work := t.TempDir()
	out, err := npm(filepath.Join(root, "web"), "pack", "--pack-destination", work)
	if err != nil {
		t.Fatalf("npm pack: %v\n%s", err, out)
	}
	lines := strings.Fields(strings.TrimSpace(string(out)))
	tarball := filepath.Join(work, lines[len(lines)-1])
	if !strings.HasSuffix(tarball, ".tgz") {
		t.Fatalf("npm pack printed %q", out)
	}
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
	goExec, err := os.ReadFile(filepath.Join(root, "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(pkg, "wasm_exec.js")); err != nil || string(b) != string(goExec) {
		t.Fatalf("the package's wasm_exec.js differs from the toolchain's (%v)", err)
	}
	for _, f := range []string{"gopkce.wasm", "gopkce.mjs", "gopkce.js", "gopkce.d.ts", "gopkce.d.mts"} {
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

	e := newE2E(t, e2eOptions{web: filepath.Join(app, "dist")})
	ctx := e.browser
	e.login(ctx, "/", "vite@example.com")
	e.do(ctx, chromedp.Poll[chromedp.Void](`document.getElementById("api").dataset.status`))
	if s := e.text(ctx, "#api"); !strings.Contains(s, `"username":"vite@example.com"`) {
		t.Fatalf("/api/me through gopkce.fetch: %s", s)
	}
	if n := e.idp.TokenRequests("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges", n)
	}
}
