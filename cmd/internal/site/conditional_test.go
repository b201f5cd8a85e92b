package site

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/build"
)

// Conditional requests, HEAD and Range, per encoding (RFC 9110 §13, §14).
func TestConditionalAndRange(t *testing.T) {
	f := newFixture(t)
	full := f.get("GET", "/app.js").Body.String()
	br := f.get("GET", "/app.js", "Accept-Encoding", "br")
	brBody, brTag := br.Body.String(), br.Header().Get("ETag")
	idTag := f.get("GET", "/app.js").Header().Get("ETag")
	lastMod := br.Header().Get("Last-Modified")
	if lastMod == "" {
		t.Fatal("no Last-Modified on a file")
	}

	for _, tc := range []struct {
		name   string
		header []string
		status int
		body   string
		enc    string
	}{
		{"If-None-Match same encoding", []string{"Accept-Encoding", "br", "If-None-Match", brTag}, 304, "", ""},
		{"If-None-Match list", []string{"Accept-Encoding", "br", "If-None-Match", `"other", ` + brTag}, 304, "", ""},
		{"If-None-Match weak", []string{"Accept-Encoding", "br", "If-None-Match", "W/" + brTag}, 304, "", ""},
		{"If-None-Match star", []string{"If-None-Match", "*"}, 304, "", ""},
		// The identity ETag does not validate the brotli bytes.
		{"If-None-Match other encoding", []string{"Accept-Encoding", "br", "If-None-Match", idTag}, 200, brBody, "br"},
		{"If-Modified-Since", []string{"If-Modified-Since", lastMod}, 304, "", ""},
		{"If-Modified-Since ignored with If-None-Match", []string{"If-Modified-Since", lastMod, "If-None-Match", `"other"`}, 200, full, ""},
		{"If-Match fails", []string{"If-Match", `"other"`}, 412, "", ""},
		{"If-Match holds", []string{"If-Match", idTag}, 200, full, ""},
		{"Range", []string{"Range", "bytes=0-9"}, 206, full[:10], ""},
		{"Range suffix", []string{"Range", "bytes=-5"}, 206, full[len(full)-5:], ""},
		{"Range of the encoded bytes", []string{"Accept-Encoding", "br", "Range", "bytes=2-5"}, 206, brBody[2:6], "br"},
		{"If-Range current", []string{"Range", "bytes=0-9", "If-Range", idTag}, 206, full[:10], ""},
		{"If-Range stale", []string{"Range", "bytes=0-9", "If-Range", `"old"`}, 200, full, ""},
		{"Range not satisfiable", []string{"Range", "bytes=99999-"}, 416, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.get("GET", "/app.js", tc.header...)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			checkSecurityHeaders(t, w)
			if tc.body != "" && w.Body.String() != tc.body {
				t.Fatalf("body %q, want %q", w.Body.String(), tc.body)
			}
			if tc.status == 304 && (w.Body.Len() != 0 || w.Header().Get("ETag") == "" || w.Header().Get("Cache-Control") != "no-cache") {
				t.Fatalf("304: body %d bytes, ETag %q, Cache-Control %q", w.Body.Len(), w.Header().Get("ETag"), w.Header().Get("Cache-Control"))
			}
			if tc.status == 200 || tc.status == 206 {
				if got := w.Header().Get("Content-Encoding"); got != tc.enc {
					t.Fatalf("Content-Encoding %q, want %q", got, tc.enc)
				}
				if got := w.Header().Get("Content-Length"); got != strconv.Itoa(w.Body.Len()) {
					t.Fatalf("Content-Length %q for %d bytes", got, w.Body.Len())
				}
			}
		})
	}

	// HEAD: the length of what GET would send, no body.
	for _, accept := range []string{"", "br"} {
		get := f.get("GET", "/app.js", "Accept-Encoding", accept)
		head := f.get("HEAD", "/app.js", "Accept-Encoding", accept)
		if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") != strconv.Itoa(get.Body.Len()) ||
			head.Header().Get("ETag") != get.Header().Get("ETag") {
			t.Fatalf("HEAD (%q): %d, %d body bytes, Content-Length %q for %d, ETag %q vs %q", accept, head.Code, head.Body.Len(),
				head.Header().Get("Content-Length"), get.Body.Len(), head.Header().Get("ETag"), get.Header().Get("ETag"))
		}
	}

	// Pages are never stored and never validated: no ETag, no 304.
	page := f.get("GET", "/", "If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	if page.Code != 200 || page.Header().Get("ETag") != "" || page.Header().Get("Last-Modified") != "" || page.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("page: %d, ETag %q, Last-Modified %q, Cache-Control %q", page.Code, page.Header().Get("ETag"),
			page.Header().Get("Last-Modified"), page.Header().Get("Cache-Control"))
	}
}

// A changed file gets a new ETag: the old one no longer validates.
func TestETagFollowsContent(t *testing.T) {
	f := newFixture(t)
	old := f.get("GET", "/app.js").Header().Get("ETag")
	p := filepath.Join(f.dir, "app.js")
	must(t, os.WriteFile(p, []byte("console.log('new');"), 0o644))
	later := time.Now().Add(time.Minute)
	must(t, os.Chtimes(p, later, later))
	w := f.get("GET", "/app.js", "If-None-Match", old)
	if w.Code != 200 || w.Header().Get("ETag") == old || w.Body.String() != "console.log('new');" {
		t.Fatalf("after a change: %d, ETag %q (old %q), body %q", w.Code, w.Header().Get("ETag"), old, w.Body.String())
	}
}

// deadlineWriter records the write deadline a handler asks for.
type deadlineWriter struct {
	*httptest.ResponseRecorder
	deadline time.Time
}

func (w *deadlineWriter) SetWriteDeadline(t time.Time) error { w.deadline = t; return nil }

// A large body gets time for a slow client; a small one too, at least the
// grace period.
func TestWriteDeadlineForSlowClients(t *testing.T) {
	f := newFixture(t)
	big := make([]byte, 4<<20)
	for i := range big {
		big[i] = byte(i * 7919 >> 3) // little redundancy: the variants stay large
	}
	must(t, os.WriteFile(filepath.Join(f.dir, "big.wasm"), big, 0o644))
	for _, tc := range []struct {
		path, accept string
		method       string
	}{{"/big.wasm", "", "GET"}, {"/big.wasm", "gzip", "GET"}, {"/app.js", "", "GET"}} {
		w := &deadlineWriter{ResponseRecorder: httptest.NewRecorder()}
		r := httptest.NewRequest(tc.method, "http://127.0.0.1"+tc.path, nil)
		r.Header.Set("Accept-Encoding", tc.accept)
		start := time.Now()
		f.h.ServeHTTP(w, r)
		n := w.Body.Len()
		if w.Code != 200 || n == 0 {
			t.Fatalf("%s: %d, %d bytes", tc.path, w.Code, n)
		}
		min := start.Add(writeGrace + time.Duration(n)*time.Second/time.Duration(slowClientRate))
		if w.deadline.Before(min) || w.deadline.After(time.Now().Add(writeGrace+time.Duration(n)*time.Second/time.Duration(slowClientRate))) {
			t.Fatalf("%s (%q, %d bytes): deadline in %v, want about %v", tc.path, tc.accept, n, w.deadline.Sub(start),
				writeGrace+time.Duration(n)*time.Second/time.Duration(slowClientRate))
		}
	}
	// 4 MiB at 16 KiB/s: over four minutes.
	if d := writeGrace + time.Duration(4<<20)*time.Second/time.Duration(slowClientRate); d < 4*time.Minute {
		t.Fatalf("4 MiB allowed only %v", d)
	}
}

// Without Compress, only the variants found beside a file are served.
func TestPrecompressedOnly(t *testing.T) {
	big := strings.Repeat("console.log('x');\n", 100)
	gz, err := build.Gzip([]byte(big))
	must(t, err)
	h, err := New(Options{Files: fstest.MapFS{
		"a.js": {Data: []byte(big)}, "a.js.gz": {Data: gz},
		"b.js": {Data: []byte(big)},
	}})
	must(t, err)
	for _, tc := range []struct{ path, want string }{{"/a.js", "gzip"}, {"/b.js", ""}} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", tc.path, nil)
		r.Header.Set("Accept-Encoding", "br, gzip")
		h.ServeHTTP(w, r)
		if w.Code != 200 || w.Header().Get("Content-Encoding") != tc.want {
			t.Fatalf("%s: %d, Content-Encoding %q, want %q", tc.path, w.Code, w.Header().Get("Content-Encoding"), tc.want)
		}
		if tc.want == "gzip" && w.Body.String() != string(gz) {
			t.Fatalf("%s: not the precompressed file", tc.path)
		}
	}
}

// A large file without variants is served at once, unencoded, while it is
// compressed in the background; its variants are served once ready.
func TestLargeFileCompressedInBackground(t *testing.T) {
	big := strings.Repeat("console.log('a large bundle');\n", (syncCompressMax/30)+100)
	release := make(chan struct{})
	h, err := New(Options{
		Files: fstest.MapFS{"big.js": {Data: []byte(big)}},
		Compress: func(enc string, data []byte) ([]byte, error) {
			<-release
			return build.Compress(enc, data)
		},
	})
	must(t, err)
	get := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/big.js", nil)
		r.Header.Set("Accept-Encoding", "br")
		h.ServeHTTP(w, r)
		return w
	}
	// The compressor is blocked: a request that waited for it would hang.
	if w := get(); w.Code != 200 || w.Header().Get("Content-Encoding") != "" || w.Body.String() != big {
		t.Fatalf("first request: %d, Content-Encoding %q", w.Code, w.Header().Get("Content-Encoding"))
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		w := get()
		if w.Header().Get("Content-Encoding") == "br" {
			if w.Body.Len() >= len(big) || !strings.HasSuffix(w.Header().Get("ETag"), `-br"`) {
				t.Fatalf("br variant: %d bytes, ETag %q", w.Body.Len(), w.Header().Get("ETag"))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the background variant was never served")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
