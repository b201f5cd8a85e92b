package site

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gopkce/gopkce/cmd/internal/build"
)

type fixture struct {
	h   http.Handler
	dir string
	log *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "web")
	outside := filepath.Join(base, "secret.txt")
	must(t, os.WriteFile(outside, []byte("outside the root"), 0o644))
	files := map[string]string{
		"index.html":  "<!doctype html><title>demo</title>" + strings.Repeat("<p>x</p>", 100),
		"app.js":      "console.log('app');" + strings.Repeat("// padding\n", 100),
		"style.css":   "body{}",
		"gopkce.wasm": "\x00asm" + strings.Repeat("wasm", 300),
		".git/config": "[core]",
		".env":        "TOKEN=1",
		"sub/a.txt":   "a",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}
	must(t, os.Symlink(outside, filepath.Join(dir, "out.txt")))
	must(t, os.Symlink("app.js", filepath.Join(dir, "link.js")))
	log := &bytes.Buffer{}
	root, err := os.OpenRoot(dir)
	must(t, err)
	t.Cleanup(func() { root.Close() })
	h, err := New(Options{
		Files: root.FS(), Compress: build.Compress, Config: map[string]any{"gopkce": map[string]any{"clientId": "x"}},
		ConnectOrigins: []string{"https://idp.example.com"}, FormOrigins: []string{"https://idp.example.com"}, Log: log,
	})
	must(t, err)
	return &fixture{h: h, dir: dir, log: log}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) get(method, target string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://127.0.0.1"+target, nil)
	if strings.HasPrefix(target, "//") {
		r.URL.Path = target
		r.RequestURI = target
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func checkSecurityHeaders(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	h := w.Header()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self' https://idp.example.com",
		"form-action 'self' https://idp.example.com", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
		t.Errorf("CSP allows inline or eval: %q", csp)
	}
	for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if h.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v)
		}
	}
}

func TestStaticServer(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		method, path string
		status       int
		ctype, cache string
		body         string // substring
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", "no-store", "<title>demo"},
		{"GET", "/callback", 200, "text/html; charset=utf-8", "no-store", "<title>demo"},
		{"GET", "/callback?code=SECRETCODE&state=S", 200, "text/html; charset=utf-8", "no-store", "<title>demo"},
		{"GET", "/index.html", 200, "text/html; charset=utf-8", "no-store", "<title>demo"},
		{"GET", "/app.js", 200, "text/javascript; charset=utf-8", "no-cache", "console.log"},
		{"GET", "/style.css", 200, "text/css; charset=utf-8", "no-cache", "body{}"},
		{"GET", "/gopkce.wasm", 200, "application/wasm", "no-cache", "\x00asm"},
		{"GET", "/link.js", 200, "text/javascript; charset=utf-8", "no-cache", "console.log"},
		{"GET", "/config.json", 200, "application/json", "no-store", `"clientId":"x"`},
		{"HEAD", "/", 200, "text/html; charset=utf-8", "no-store", ""},
		{"GET", "/missing.wasm", 404, "", "", "404"},
		{"GET", "/missing", 404, "", "", "404"},
		{"GET", "/../../etc/passwd", 404, "", "", "404"},
		{"GET", "/%2e%2e/%2e%2e/etc/passwd", 404, "", "", "404"},
		{"GET", "/..%2f..%2fetc%2fpasswd", 404, "", "", "404"},
		{"GET", "/..%5c..%5cetc%5cpasswd", 404, "", "", "404"},
		{"GET", "/sub/..%2f..%2fsecret.txt", 404, "", "", "404"},
		{"GET", "/.git/config", 404, "", "", "404"},
		{"GET", "/.env", 404, "", "", "404"},
		{"GET", "/sub/", 404, "", "", "404"},
		{"GET", "/sub", 404, "", "", "404"},
		{"GET", "/out.txt", 404, "", "", "404"},
		{"GET", "//evil.example/", 404, "", "", "404"},
		{"GET", "/app.js%00", 404, "", "", "404"},
		{"POST", "/", 405, "", "", "405"},
		{"PUT", "/app.js", 405, "", "", "405"},
		{"TRACE", "/", 405, "", "", "405"},
		{"DELETE", "/", 405, "", "", "405"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := f.get(tc.method, tc.path)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d (body %q)", w.Code, tc.status, w.Body.String())
			}
			checkSecurityHeaders(t, w)
			if w.Header().Get("Location") != "" {
				t.Fatalf("redirect to %s", w.Header().Get("Location"))
			}
			if tc.ctype != "" && w.Header().Get("Content-Type") != tc.ctype {
				t.Fatalf("Content-Type %q, want %q", w.Header().Get("Content-Type"), tc.ctype)
			}
			if tc.cache != "" && w.Header().Get("Cache-Control") != tc.cache {
				t.Fatalf("Cache-Control %q, want %q", w.Header().Get("Cache-Control"), tc.cache)
			}
			if tc.status == 200 && tc.cache == "no-cache" && w.Header().Get("ETag") == "" {
				t.Fatal("no ETag on an un-hashed asset")
			}
			if !strings.Contains(w.Body.String(), tc.body) {
				t.Fatalf("body %q lacks %q", w.Body.String(), tc.body)
			}
			if tc.status == 404 && strings.Contains(w.Body.String(), "<title>demo") {
				t.Fatal("a missing asset got the SPA page")
			}
			if tc.status == 405 && w.Header().Get("Allow") != "GET, HEAD" {
				t.Fatalf("Allow = %q", w.Header().Get("Allow"))
			}
			if tc.method == "HEAD" && w.Body.Len() != 0 {
				t.Fatal("HEAD with a body")
			}
		})
	}
	if strings.Contains(f.log.String(), "SECRETCODE") || strings.Contains(f.log.String(), "state=") {
		t.Fatalf("query string logged:\n%s", f.log.String())
	}
	if !strings.Contains(f.log.String(), `GET "/callback" 200`) {
		t.Fatalf("access log lacks the request:\n%s", f.log.String())
	}
}

// Over the wire, so that net/http's own request parsing is part of it.
func TestStaticServerRawRequests(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	for _, target := range []string{"//evil.example/", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd", "/..\\..\\etc\\passwd", "/.git/config"} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		must(t, err)
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", target)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		must(t, err)
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != 404 && resp.StatusCode != 400 {
			t.Errorf("%s: status %d", target, resp.StatusCode)
		}
		if resp.Header.Get("Location") != "" || bytes.Contains(body, []byte("[core]")) || bytes.Contains(body, []byte("root:")) {
			t.Errorf("%s: redirected or leaked: %q", target, body)
		}
	}
}

func TestEncodings(t *testing.T) {
	f := newFixture(t)
	plain := f.get("GET", "/app.js").Body.String()
	for _, tc := range []struct{ accept, want string }{
		{"br, gzip", "br"}, {"gzip, deflate, br", "br"}, {"gzip", "gzip"}, {"br;q=0, gzip", "gzip"},
		{"", ""}, {"identity", ""}, {"gzip;q=0", ""},
	} {
		w := f.get("GET", "/app.js", "Accept-Encoding", tc.accept)
		if got := w.Header().Get("Content-Encoding"); got != tc.want {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
		}
		if w.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("Vary = %q", w.Header().Get("Vary"))
		}
		var r io.Reader = w.Body
		switch tc.want {
		case "br":
			r = brotli.NewReader(w.Body)
		case "gzip":
			gz, err := gzip.NewReader(w.Body)
			must(t, err)
			r = gz
		}
		got, err := io.ReadAll(r)
		must(t, err)
		if string(got) != plain {
			t.Fatalf("%s body does not decode to the file", tc.want)
		}
	}
	// ETags differ per encoding and revalidate with 304.
	br := f.get("GET", "/app.js", "Accept-Encoding", "br")
	id := f.get("GET", "/app.js")
	if br.Header().Get("ETag") == id.Header().Get("ETag") {
		t.Fatal("same ETag for two encodings")
	}
	if w := f.get("GET", "/app.js", "Accept-Encoding", "br", "If-None-Match", br.Header().Get("ETag")); w.Code != 304 || w.Body.Len() != 0 {
		t.Fatalf("revalidation: %d", w.Code)
	}
	checkSecurityHeaders(t, f.get("GET", "/app.js", "If-None-Match", id.Header().Get("ETag")))
}

func TestPrecompressedVariantUsedWhenFresh(t *testing.T) {
	f := newFixture(t)
	var buf bytes.Buffer
	w := brotli.NewWriter(&buf)
	w.Write([]byte("prebuilt"))
	w.Close()
	p := filepath.Join(f.dir, "gopkce.wasm.br")
	must(t, os.WriteFile(p, buf.Bytes(), 0o644))
	future := time.Now().Add(time.Hour)
	must(t, os.Chtimes(p, future, future))
	r := f.get("GET", "/gopkce.wasm", "Accept-Encoding", "br")
	got, _ := io.ReadAll(brotli.NewReader(r.Body))
	if string(got) != "prebuilt" {
		t.Fatalf("precompressed file not used: %q", got)
	}
	if r.Header().Get("Content-Type") != "application/wasm" {
		t.Fatalf("Content-Type %q", r.Header().Get("Content-Type"))
	}
}

func TestHSTSOverHTTPS(t *testing.T) {
	h, err := New(Options{Files: os.DirFS(t.TempDir()), HTTPS: true})
	must(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/nothing", nil))
	if w.Code != 404 || !strings.Contains(w.Header().Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("HSTS on 404 over https: %d %q", w.Code, w.Header().Get("Strict-Transport-Security"))
	}
}
