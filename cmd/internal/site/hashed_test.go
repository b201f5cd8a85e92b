package site

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gopkce/gopkce/cmd/internal/hashed"
)

// The hashed module is immutable, gopkce.wasm is revalidated, and the
// page's data-wasm names the hashed module, following a rebuild.
func TestHashedModule(t *testing.T) {
	f := newFixture(t)
	page := `<!doctype html><script src="/gopkce.js" data-wasm="/gopkce.wasm"></script><title>demo</title>` + strings.Repeat("<p>x</p>", 100)
	must(t, os.WriteFile(filepath.Join(f.dir, "index.html"), []byte(page), 0o644))

	// No hashed copy: the page is served as it is.
	if w := f.get("GET", "/"); !strings.Contains(w.Body.String(), `data-wasm="/gopkce.wasm"`) {
		t.Fatalf("page rewritten without a hashed copy: %s", w.Body)
	}

	build := func(module string, at time.Time) string {
		must(t, os.WriteFile(filepath.Join(f.dir, "gopkce.wasm"), []byte(module), 0o644))
		os.Chtimes(filepath.Join(f.dir, "gopkce.wasm"), at, at)
		name := hashed.Name([]byte(module))
		must(t, os.WriteFile(filepath.Join(f.dir, name), []byte(module), 0o644))
		return name
	}
	first := build("\x00asm first"+strings.Repeat("a", 600), time.Now().Add(-time.Minute))
	for _, enc := range []string{"", "br"} {
		w := f.get("GET", "/"+first, "Accept-Encoding", enc)
		if w.Code != 200 || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("hashed module, %q: %d, Cache-Control %q", enc, w.Code, w.Header().Get("Cache-Control"))
		}
	}
	if w := f.get("GET", "/gopkce.wasm"); w.Header().Get("Cache-Control") != "no-cache" || w.Header().Get("ETag") == "" {
		t.Errorf("gopkce.wasm: Cache-Control %q, ETag %q", w.Header().Get("Cache-Control"), w.Header().Get("ETag"))
	}
	w := f.get("GET", "/", "Accept-Encoding", "br")
	if got := decode(t, w); !strings.Contains(got, `data-wasm="/`+first+`"`) || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("page after the build (%q): %s", w.Header().Get("Cache-Control"), got)
	}

	second := build("\x00asm second"+strings.Repeat("b", 600), time.Now())
	if second == first {
		t.Fatal("a new module kept its name")
	}
	if got := f.get("GET", "/").Body.String(); !strings.Contains(got, `data-wasm="/`+second+`"`) {
		t.Fatalf("page after a rebuild names %s, want %s: %s", first, second, got)
	}

	// A name of the hashed form whose bytes are another module's is not
	// immutable.
	must(t, os.WriteFile(filepath.Join(f.dir, "gopkce.0123456789abcdef.wasm"), []byte("\x00asm"), 0o644))
	if w := f.get("GET", "/gopkce.0123456789abcdef.wasm"); w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("a wrongly named module: Cache-Control %q", w.Header().Get("Cache-Control"))
	}
}

func decode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var r io.Reader = w.Body
	if w.Header().Get("Content-Encoding") == "br" {
		r = brotli.NewReader(w.Body)
	}
	b, err := io.ReadAll(r)
	must(t, err)
	return string(b)
}
