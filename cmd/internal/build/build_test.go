package build

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/hashed"
)

func TestStale(t *testing.T) {
	root := t.TempDir()
	write := func(rel string, mod time.Time) {
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, mod, mod)
	}
	old, now := time.Now().Add(-time.Hour), time.Now()
	write("go.mod", old)
	write("wasm/main.go", old)
	write("wasm/main_test.go", now.Add(time.Hour)) // tests do not make it stale
	if s, _ := Stale(root); !s {
		t.Fatal("missing wasm is not stale")
	}
	h := "web/" + hashed.Name([]byte("x"))
	for _, f := range []string{"web/gopkce.wasm", "web/gopkce.wasm.br", "web/gopkce.wasm.gz", "web/wasm_exec.js", h, h + ".br", h + ".gz"} {
		write(f, now)
	}
	if s, err := Stale(root); s || err != nil {
		t.Fatalf("fresh build is stale (%v)", err)
	}
	write("wasm/oauth/token.go", now.Add(time.Minute))
	if s, _ := Stale(root); !s {
		t.Fatal("a newer source did not make it stale")
	}
	write("wasm/oauth/token.go", old)
	os.Remove(filepath.Join(root, "web/gopkce.wasm.br"))
	if s, _ := Stale(root); !s {
		t.Fatal("a missing .br did not make it stale")
	}
	write("web/gopkce.wasm.br", now)
	os.Remove(filepath.Join(root, h))
	if s, _ := Stale(root); !s {
		t.Fatal("a missing hashed copy did not make it stale")
	}
}

// Each build keeps one hashed copy: the current module's.
func TestRemoveHashed(t *testing.T) {
	web := t.TempDir()
	old, cur := hashed.Name([]byte("old")), hashed.Name([]byte("new"))
	for _, f := range []string{old, old + ".br", old + ".gz", cur, cur + ".br", "gopkce.wasm", "gopkce.wasm.br", "app.js"} {
		if err := os.WriteFile(filepath.Join(web, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeHashed(web, cur); err != nil {
		t.Fatal(err)
	}
	var left []string
	entries, _ := os.ReadDir(web)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{"app.js", cur, cur + ".br", "gopkce.wasm", "gopkce.wasm.br"}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Fatalf("left %v, want %v", left, want)
	}
}
