package oauth

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The WebAssembly module must not link net/http (it doubles its size: 2.0
// MB against 1.06 MB brotli), golang-jwt, crypto/x509, net/url,
// encoding/json, reflect or fmt. The check runs go list on the real
// js/wasm build graph of ./wasm.
func TestWasmDoesNotLinkNetHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	cmd := exec.Command("go", "list", "-deps", "github.com/gopkce/gopkce/wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 || !contains(deps, "syscall/js") || !contains(deps, "github.com/gopkce/gopkce/wasm/oauth") {
		t.Fatalf("go list did not list the wasm build graph: %v", deps)
	}
	// golang-jwt (and crypto/x509, which its PEM helpers pull in) cost
	// 252 KB brotli: signatures are WebCrypto's in the browser.
	for _, forbidden := range []string{
		"net/http", "github.com/gopkce/gopkce/wasm/oauth/oauthhttp",
		"github.com/golang-jwt/jwt/v5", "crypto/x509", "github.com/gopkce/gopkce/wasm/oauth/oauthjwt",
		// net/url costs 131 KB brotli with the fmt and reflect it pulls:
		// wasm/internal/weburl parses URLs and queries.
		"net/url", "net/netip",
		// encoding/json costs about 218 KB brotli with fmt and reflect:
		// wasm/internal/jsonv decodes and encodes JSON. reflect itself is
		// then linked by nothing.
		"encoding/json", "reflect",
		// fmt (86 KB brotli) and the os it pulls: errors are built
		// without fmt (wasm/webcrypto.go's cryptoError).
		"fmt", "os",
	} {
		if contains(deps, forbidden) {
			t.Errorf("the wasm module links %s", forbidden)
		}
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
