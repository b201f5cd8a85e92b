//go:build !(js && wasm)

// Command edge, built natively, builds the worker: web/ as cmd/serve
// builds it (the assets), then cmd/edge for GOOS=js GOARCH=wasm into
// build/app.wasm with the toolchain's wasm_exec.js beside it, and prints
// the sizes against Workers' limits. wrangler runs it (wrangler.toml
// [build]); `go run ./cmd/edge` does the same by hand.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/gopkce/gopkce/cmd/internal/build"
	"github.com/gopkce/gopkce/cmd/internal/hashed"
	"github.com/gopkce/gopkce/cmd/internal/site"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "edge:", err)
		os.Exit(1)
	}
}

// Workers' script size limits, after gzip, as wrangler checks them
// (developers.cloudflare.com/workers/platform/limits).
const (
	freeLimit = 3 << 20
	paidLimit = 10 << 20
)

// uploadSize is the script's size as `wrangler deploy` reports it: its
// modules (the worker's wasm, wasm_exec.js and worker.mjs) concatenated,
// raw and gzipped at zlib's default level. wrangler bundles the two
// scripts with esbuild first, so its figure differs by a few hundred bytes.
func uploadSize(dir string) (raw, gz int64, err error) {
	var all bytes.Buffer
	for _, f := range []string{filepath.Join(dir, "app.wasm"), filepath.Join(dir, "wasm_exec.js"), filepath.Join(dir, "..", "worker.mjs")} {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, 0, err
		}
		all.Write(b)
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(all.Bytes())
	if err := w.Close(); err != nil {
		return 0, 0, err
	}
	return int64(all.Len()), int64(z.Len()), nil
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("edge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/edge [-o dir]   build the worker (build/app.wasm, build/wasm_exec.js)")
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "output directory (default: cmd/edge/build)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	root, err := build.ModuleRoot(".")
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(root, "cmd", "edge", "build")
	}
	if err := build.Ensure(root, stdout); err != nil {
		return err
	}
	s, err := buildWorker(root, *out)
	if err != nil {
		return err
	}
	n, err := buildAssets(filepath.Join(root, "web"), filepath.Join(*out, "assets"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "assets %s: %d bytes\n", filepath.Join(*out, "assets"), n)
	raw, gz, err := uploadSize(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "worker %s: %d bytes raw, %d gzip -9\nupload (as wrangler counts it): %d bytes raw, %d gzip (Workers' limit after gzip: %d free, %d paid)\n",
		filepath.Join(*out, "app.wasm"), s.Raw, s.Gzip, raw, gz, freeLimit, paidLimit)
	return nil
}

// buildWorker compiles cmd/edge for Workers into dir and copies the
// toolchain's wasm_exec.js beside it, for worker.mjs.
func buildWorker(root, dir string) (build.Sizes, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return build.Sizes{}, err
	}
	tmp, err := os.CreateTemp(dir, ".app-*.wasm")
	if err != nil {
		return build.Sizes{}, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	// The browser module's flags: without inlining (-l) the worker is
	// 2.7 MB after gzip instead of 3.1 MB, under the free plan's 3 MiB.
	cmd := exec.Command("go", append(append([]string{"build"}, build.Flags...), "-o", tmp.Name(), "./cmd/edge")...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return build.Sizes{}, fmt.Errorf("go build: %v\n%s", err, msg)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return build.Sizes{}, fmt.Errorf("go env GOROOT: %w", err)
	}
	execJS, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return build.Sizes{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "wasm_exec.js"), execJS, 0o644); err != nil {
		return build.Sizes{}, err
	}
	raw, err := os.ReadFile(tmp.Name())
	if err != nil {
		return build.Sizes{}, err
	}
	gz, err := build.Gzip(raw)
	if err != nil {
		return build.Sizes{}, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, "app.wasm")); err != nil {
		return build.Sizes{}, err
	}
	return build.Sizes{Raw: int64(len(raw)), Gzip: int64(len(gz))}, nil
}

// buildAssets copies the site's files from web to dir, for the assets
// binding, with a brotli and a gzip variant of each compressible file: the
// worker serves precompressed variants and never compresses (that would
// cost CPU in every isolate). It returns the bytes written.
func buildAssets(web, dir string) (int64, error) {
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	root, err := os.OpenRoot(web)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	// The hashed module's name, when the build wrote its copy.
	module := ""
	if raw, err := fs.ReadFile(root.FS(), hashed.Module); err == nil {
		if _, err := fs.Stat(root.FS(), hashed.Name(raw)); err == nil {
			module = hashed.Name(raw)
		}
	}
	var total int64
	write := func(name string, data []byte) error {
		total += int64(len(data))
		return os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case name == ".":
			return nil
		case strings.HasPrefix(d.Name(), "."):
			// Dotfiles are never served (and never uploaded).
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dir, name), 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		data, err := fs.ReadFile(root.FS(), name)
		if err != nil {
			return err
		}
		rewritten := false
		if path.Ext(name) == ".html" && module != "" {
			// As the site does on each request: the page names the
			// hashed module. Done here so that the page's
			// precompressed variants hold the rewritten page.
			if p := hashed.Rewrite(data, "/"+hashed.Module, "/"+module); !bytes.Equal(p, data) {
				data, rewritten = p, true
			}
		}
		if err := write(name, data); err != nil {
			return err
		}
		if !site.Compressible(name, len(data)) {
			return nil
		}
		for _, v := range []struct{ ext, enc string }{{".br", "br"}, {".gz", "gzip"}} {
			if !rewritten && fresh(web, name, name+v.ext) {
				continue // built beside the file (gopkce.wasm.br): copied as it is
			}
			var b []byte
			if v.enc == "br" {
				b, err = build.Brotli(data)
			} else {
				b, err = build.Gzip(data)
			}
			if err != nil {
				return err
			}
			if len(b) < len(data) {
				if err := write(name+v.ext, b); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return total, err
}

// fresh reports whether web/variant exists and is at least as new as
// web/name: the site would use it.
func fresh(web, name, variant string) bool {
	a, err1 := os.Stat(filepath.Join(web, name))
	b, err2 := os.Stat(filepath.Join(web, variant))
	return err1 == nil && err2 == nil && !b.ModTime().Before(a.ModTime())
}
