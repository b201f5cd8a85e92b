// Package build builds the browser module the way build.sh does: the wasm
// with -trimpath -gcflags=all=-l -ldflags='-s -w' in the environment
// [Env], its brotli and gzip variants, and a copy of the toolchain's
// wasm_exec.js beside it.
package build

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gopkce/gopkce/cmd/internal/hashed"
)

// Sizes are the byte counts of the built module.
type Sizes struct{ Raw, Gzip, Brotli int64 }

// ModuleRoot finds the directory holding go.mod, from dir upwards.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("build: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Wasm is the path of the built module under root.
func Wasm(root string) string { return filepath.Join(root, "web", "gopkce.wasm") }

// Stale reports whether web/gopkce.wasm is missing or older than any Go
// source under wasm/, go.mod or go.sum.
func Stale(root string) (bool, error) {
	st, err := os.Stat(Wasm(root))
	if err != nil {
		return true, nil
	}
	built := st.ModTime()
	newer := false
	check := func(p string) {
		if s, err := os.Stat(p); err == nil && s.ModTime().After(built) {
			newer = true
		}
	}
	check(filepath.Join(root, "go.mod"))
	check(filepath.Join(root, "go.sum"))
	err = filepath.WalkDir(filepath.Join(root, "wasm"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			check(p)
		}
		return nil
	})
	variants := []string{Wasm(root) + ".br", Wasm(root) + ".gz", filepath.Join(root, "web", "wasm_exec.js")}
	if raw, err := os.ReadFile(Wasm(root)); err == nil {
		h := filepath.Join(root, "web", hashed.Name(raw))
		variants = append(variants, h, h+".br", h+".gz")
	}
	for _, v := range variants {
		if s, err := os.Stat(v); err != nil || s.ModTime().Before(built) {
			newer = true
		}
	}
	return newer, err
}

// Ensure builds the module when [Stale] says so, logging to log.
func Ensure(root string, log io.Writer) error {
	stale, err := Stale(root)
	if err != nil {
		return err
	}
	if !stale {
		return nil
	}
	fmt.Fprintln(log, "building web/gopkce.wasm (missing or older than its sources)...")
	start := time.Now()
	sizes, err := Build(root)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "built in %.1fs: %s\n", time.Since(start).Seconds(), sizes)
	return nil
}

func (s Sizes) String() string {
	return fmt.Sprintf("gopkce.wasm %d bytes raw, %d gzip, %d brotli", s.Raw, s.Gzip, s.Brotli)
}

// Flags are the go build flags of the module. -gcflags=all=-l turns
// inlining off: inlined copies compress worse than calls, and the module
// is 950,247 bytes brotli with inlining against 865,552 without (Go
// 1.26.8). It is the configuration debuggers build with (Delve's -N -l),
// so the toolchain supports it everywhere, the runtime included; the cost
// is some CPU, which the browser benchmarks measure.
var Flags = []string{"-trimpath", "-gcflags=all=-l", "-ldflags=-s -w"}

// Env is the environment of the module's build, after the caller's.
// GOEXPERIMENT=nogreenteagc links the garbage collector Go had before
// 1.26 in place of Green Tea, Go 1.26's default (both are supported in
// 1.26): the module keeps a few kilobytes of session state and spends
// little time collecting, and Green Tea's code weighs 6,472 bytes brotli
// in it (Go 1.26.8). Go 1.27 is to drop the old collector: the setting
// goes with it.
var Env = []string{"GOOS=js", "GOARCH=wasm", "GOEXPERIMENT=nogreenteagc"}

// Build compiles the module and writes gopkce.wasm, .br and .gz under
// web/, the same three under the module's hashed name
// (gopkce.<hash>.wasm, [hashed.Name]; older hashed copies are removed),
// and copies the toolchain's wasm_exec.js into web/.
func Build(root string) (Sizes, error) {
	out := Wasm(root)
	// A private temporary name: two builds at once (a test binary and
	// build.sh) must not trip over each other.
	f, err := os.CreateTemp(filepath.Dir(out), ".gopkce-*.wasm")
	if err != nil {
		return Sizes{}, err
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	cmd := exec.Command("go", "build", Flags[0], Flags[1], Flags[2], "-o", tmp, "./wasm/browser")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), Env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return Sizes{}, fmt.Errorf("build: go build: %v\n%s", err, msg)
	}
	raw, err := os.ReadFile(tmp)
	if err != nil {
		return Sizes{}, err
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return Sizes{}, fmt.Errorf("build: go env GOROOT: %w", err)
	}
	execJS, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return Sizes{}, err
	}
	if err := os.WriteFile(filepath.Join(root, "web", "wasm_exec.js"), execJS, 0o644); err != nil {
		return Sizes{}, err
	}
	br, err := Brotli(raw)
	if err != nil {
		return Sizes{}, err
	}
	gz, err := Gzip(raw)
	if err != nil {
		return Sizes{}, err
	}
	web := filepath.Dir(out)
	name := hashed.Name(raw)
	if err := removeHashed(web, name); err != nil {
		return Sizes{}, err
	}
	// Variants first, the module last: its mtime marks a complete build.
	h := filepath.Join(web, name)
	for _, f := range []struct {
		path string
		data []byte
	}{{h + ".br", br}, {h + ".gz", gz}, {h, raw}, {out + ".br", br}, {out + ".gz", gz}} {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return Sizes{}, err
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		return Sizes{}, err
	}
	now := time.Now()
	for _, p := range []string{out + ".br", out + ".gz", h, h + ".br", h + ".gz"} {
		os.Chtimes(p, now, now)
	}
	os.Chtimes(filepath.Join(root, "web", "wasm_exec.js"), now, now)
	return Sizes{Raw: int64(len(raw)), Gzip: int64(len(gz)), Brotli: int64(len(br))}, nil
}

// removeHashed removes the hashed copies of earlier builds from web/,
// keeping keep's: a deployment of web/ then carries one module.
func removeHashed(web, keep string) error {
	entries, err := os.ReadDir(web)
	if err != nil {
		return err
	}
	for _, e := range entries {
		base := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".br"), ".gz")
		if hashed.Is(base) && base != keep {
			if err := os.Remove(filepath.Join(web, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// Brotli compresses at the best quality, as the brotli command does.
func Brotli(b []byte) ([]byte, error) { return BrotliLevel(b, brotli.BestCompression) }

// BrotliLevel compresses at a brotli quality (0 to 11).
func BrotliLevel(b []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, level)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Compress encodes b for a Content-Encoding, "br" (quality 9: fast enough
// to do on a request) or "gzip". It is the site's in-memory compressor
// (site.Options.Compress) for files without precompressed variants.
func Compress(enc string, b []byte) ([]byte, error) {
	switch enc {
	case "br":
		return BrotliLevel(b, 9)
	case "gzip":
		return Gzip(b)
	}
	return nil, fmt.Errorf("build: unknown encoding %q", enc)
}

// Gzip compresses at the best level.
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
