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
// MB against 1.06 MB brotli), golang-jwt or crypto/x509. The check runs go
// list on the real js/wasm build graph of ./wasm.
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
	// encoding/json costs about 218 KB with the reflect it needs: the module
	// decodes and encodes JSON with wasm/internal/jsonv.
	for _, forbidden := range []string{
		"net/http", "github.com/gopkce/gopkce/wasm/oauth/oauthhttp",
		"github.com/golang-jwt/jwt/v5", "crypto/x509", "github.com/gopkce/gopkce/wasm/oauth/oauthjwt",
		"encoding/json",
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
