package main

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/gopkce/gopkce/cmd/internal/hashed"
)

// shipped are gopkce's own files: what an integrator's page loads. With
// -web, a page directory that lacks them gets the module's copies.
var shipped = map[string]bool{
	"wasm_exec.js": true, "gopkce.js": true, "gopkce.mjs": true,
	"gopkce.d.ts": true, "gopkce.d.mts": true,
	"gopkce.wasm": true, "gopkce.wasm.br": true, "gopkce.wasm.gz": true,
}

// pageFS serves the integrator's page directory, and gopkce's shipped
// files from the module's web/ where the page directory has none.
type pageFS struct {
	page, gopkce fs.FS
}

func (p pageFS) Open(name string) (fs.File, error) {
	f, err := p.page.Open(name)
	if errors.Is(err, fs.ErrNotExist) && (shipped[path.Clean(name)] || isHashed(path.Clean(name))) {
		return p.gopkce.Open(name)
	}
	return f, err
}

// isHashed reports whether name is the module's hashed copy or one of its
// precompressed variants.
func isHashed(name string) bool {
	return hashed.Is(strings.TrimSuffix(strings.TrimSuffix(name, ".br"), ".gz"))
}
