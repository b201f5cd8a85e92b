package oauth

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	modulePath  = "github.com/gopkce/gopkce"
	browserPkg  = modulePath + "/wasm/browser"
	corePkg     = modulePath + "/wasm/oauth"
	serverRooms = modulePath + "/wasm/server/"
)

// goListDeps lists the packages pkg links for goos/goarch (tests excluded).
func goListDeps(t *testing.T, goos, goarch, pkg string) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the go command")
	}
	cmd := exec.Command("go", "list", "-deps", pkg)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 || !contains(deps, pkg) {
		t.Fatalf("go list did not list the build graph of %s: %v", pkg, deps)
	}
	return deps
}

// The browser program (wasm/browser, which becomes web/gopkce.wasm) must
// not link net/http (it doubles the module: 2.0 MB against 1.06 MB
// brotli), golang-jwt, crypto/x509, net/url, encoding/json, reflect or fmt,
// nor any server package. The check runs go list on the real js/wasm build
// graph.
func TestBrowserProgramDeps(t *testing.T) {
	deps := goListDeps(t, "js", "wasm", browserPkg)
	if !contains(deps, "syscall/js") || !contains(deps, corePkg) {
		t.Fatalf("go list did not list the browser program's graph: %v", deps)
	}
	// golang-jwt (and crypto/x509, which its PEM helpers pull in) cost
	// 252 KB brotli: signatures are WebCrypto's in the browser.
	for _, forbidden := range []string{
		"net/http", corePkg + "/oauthhttp",
		"github.com/golang-jwt/jwt/v5", "crypto/x509", corePkg + "/oauthjwt",
		// net/url costs 131 KB brotli with the fmt and reflect it pulls:
		// wasm/internal/weburl parses URLs and queries.
		"net/url", "net/netip",
		// encoding/json costs about 218 KB brotli with fmt and reflect:
		// wasm/internal/jsonv decodes and encodes JSON.
		"encoding/json", "reflect",
		// fmt (86 KB brotli) and the os it pulls.
		"fmt", "os",
	} {
		if contains(deps, forbidden) {
			t.Errorf("the browser program links %s", forbidden)
		}
	}
	for _, d := range deps {
		if strings.HasPrefix(d, serverRooms) {
			t.Errorf("the browser program links the server package %s", d)
		}
	}
}

// The client core is platform-neutral: it links neither syscall/js nor
// net/http, nor the browser program or a server package, on either
// platform. (On js/wasm the standard library's syscall links syscall/js
// itself, so there the core's own imports are checked.)
func TestCoreIsPlatformNeutral(t *testing.T) {
	for _, p := range [][2]string{{"linux", "amd64"}, {"js", "wasm"}} {
		for _, d := range goListDeps(t, p[0], p[1], corePkg) {
			switch {
			case d == "syscall/js" && p[0] != "js", d == "net/http", d == browserPkg, strings.HasPrefix(d, serverRooms):
				t.Errorf("the client core (%s/%s) links %s", p[0], p[1], d)
			}
		}
	}
	cmd := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, corePkg+"/...")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if imports := strings.Fields(string(out)); contains(imports, "syscall/js") {
		t.Errorf("a package of the client core imports syscall/js")
	}
}

// The committed wasm_exec.js must be the toolchain's own: a stale copy
// breaks the module in subtle ways.
func TestWasmExecMatchesToolchain(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("wasm_exec.js differs from $(go env GOROOT)/lib/wasm/wasm_exec.js: run ./build.sh")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
