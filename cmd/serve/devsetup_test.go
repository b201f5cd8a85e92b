package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A taken port is reported with the flag that changes it.
func TestPortTakenNamesFlag(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	web, _ := filepath.Abs("../../web")
	for _, tc := range []struct{ flag, other string }{{"-addr", "-idp-addr"}, {"-idp-addr", "-addr"}} {
		o, err := parseFlags([]string{tc.flag, ln.Addr().String(), tc.other, "127.0.0.1:0", "-web", web, "-quiet"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		st, err := start(o, io.Discard, io.Discard)
		if err == nil {
			st.shutdown(context.Background())
			t.Fatalf("%s on a taken port: no error", tc.flag)
		}
		if !strings.Contains(err.Error(), "choose another with "+tc.flag) {
			t.Errorf("%s on a taken port: %v", tc.flag, err)
		}
	}
}

// -redirect-uri registers the integrator's page at the development
// provider; -any-loopback=false restores exact matching for loopback URIs.
func TestRedirectURIFlag(t *testing.T) {
	web, _ := filepath.Abs("../../web")
	o, err := parseFlags([]string{"-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0", "-web", web, "-quiet",
		"-redirect-uri", "https://app.example.test/cb", "-redirect-uri", "http://127.0.0.1:5173/", "-any-loopback=false"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	st, err := start(o, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer st.shutdown(context.Background())
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authorize := func(redirect string) (int, string) {
		q := url.Values{"response_type": {"code"}, "client_id": {"gopkce-demo"}, "redirect_uri": {redirect}, "state": {"s"},
			"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGcSjbDAzI"}, "code_challenge_method": {"S256"}}
		resp, err := hc.Get(st.idp.Issuer() + "/oauth2/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	for _, u := range []string{"https://app.example.test/cb", "http://127.0.0.1:5173/", st.siteURL + "/callback"} {
		if code, body := authorize(u); code != 200 {
			t.Errorf("%s: %d %s", u, code, body)
		}
	}
	code, body := authorize("http://127.0.0.1:5173/callback")
	if code != 400 || !strings.Contains(body, `received:   "http://127.0.0.1:5173/callback"`) || !strings.Contains(body, `"http://127.0.0.1:5173/"`) {
		t.Errorf("unregistered loopback URI with -any-loopback=false: %d %s", code, body)
	}
	if _, err := parseFlags([]string{"-redirect-uri", "/relative"}, io.Discard); err == nil {
		t.Error("a relative -redirect-uri was accepted")
	}
}

// -web serves the integrator's directory, and gopkce's shipped files from
// the module when the directory lacks them; nothing else of the demo.
func TestWebServesOwnPage(t *testing.T) {
	root := ensureBuilt(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>my page</title>"), 0o644)
	os.WriteFile(filepath.Join(dir, "gopkce.mjs"), []byte("// my own copy\n"), 0o644)
	o, err := parseFlags([]string{"-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0", "-web", dir, "-quiet"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o.gopkceWeb = filepath.Join(root, "web")
	st, err := start(o, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer st.shutdown(context.Background())
	get := func(p string) (int, string) {
		resp, err := http.Get(st.siteURL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, body := get("/"); code != 200 || !strings.Contains(body, "my page") {
		t.Errorf("/: %d %.80s", code, body)
	}
	if code, body := get("/callback"); code != 200 || !strings.Contains(body, "my page") {
		t.Errorf("/callback: %d %.80s", code, body)
	}
	if code, body := get("/gopkce.js"); code != 200 || !strings.Contains(body, "gopkce") {
		t.Errorf("/gopkce.js from the module: %d", code)
	}
	if code, _ := get("/wasm_exec.js"); code != 200 {
		t.Errorf("/wasm_exec.js from the module: %d", code)
	}
	if code, body := get("/gopkce.mjs"); code != 200 || body != "// my own copy\n" {
		t.Errorf("/gopkce.mjs: the page's own copy must win: %d %q", code, body)
	}
	if code, _ := get("/app.js"); code != 404 {
		t.Errorf("/app.js (the demo's, not shipped): %d, want 404", code)
	}
}
