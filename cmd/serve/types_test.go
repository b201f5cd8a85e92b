package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The types compile for each way of using gopkce from web/ directly:
// the classic script's global and the ES module by path. Each program
// also holds @ts-expect-error lines, so types that degrade to any fail.
// The npm package's types are checked in TestE2E/npm_vite_app.
func TestTypeScript(t *testing.T) {
	root := ensureBuilt(t)
	dir := t.TempDir()
	// The programs sit where an integrator's would: beside a copy of the
	// shipped files, without the package.json of web/.
	static := filepath.Join(dir, "static")
	os.Mkdir(static, 0o755)
	for _, f := range []string{"gopkce.js", "gopkce.mjs", "gopkce.d.ts", "gopkce.d.mts"} {
		copyFile(t, filepath.Join(root, "web", f), filepath.Join(static, f))
	}
	for _, f := range []string{"global.ts", "module.mts"} {
		copyFile(t, filepath.Join("testdata", "types", f), filepath.Join(dir, f))
	}
	tsc(t, dir, "global.ts", "module.mts")
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}
