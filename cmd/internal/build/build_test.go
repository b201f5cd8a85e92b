package build

import (
	"os"
	"path/filepath"
	"testing"
	"time"
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
	for _, f := range []string{"web/gopkce.wasm", "web/gopkce.wasm.br", "web/gopkce.wasm.gz", "web/wasm_exec.js"} {
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
}
