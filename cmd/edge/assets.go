package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"sync"
	"time"
)

// maxAsset bounds what is read for one file: Workers static assets are at
// most 25 MiB each.
const maxAsset = 25 << 20

// assetsFS is the fs.FS of the site's files served by a Workers assets
// binding (wrangler.toml [assets]): Open fetches base/name through client,
// whose transport is the binding's fetch. The site handler (and its
// headers, CSP, ETags, precompressed variants) then works as it does over
// a directory.
//
// A deployment replaces the script and its assets together, and each
// isolate runs one version: a file read once is kept for the isolate's
// life, so later requests cost no binding fetch and the site's cache of
// hashes and encodings stays valid.
type assetsFS struct {
	client *http.Client
	base   string // "https://assets.invalid": the binding ignores the host

	mu   sync.Mutex
	read map[string][]byte
}

func newAssetsFS(client *http.Client, base string) *assetsFS {
	return &assetsFS{client: client, base: base, read: map[string][]byte{}}
}

func (a *assetsFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	a.mu.Lock()
	data, ok := a.read[name]
	a.mu.Unlock()
	if !ok {
		var err error
		if data, err = a.fetch(name); err != nil {
			return nil, err
		}
		a.mu.Lock()
		a.read[name] = data
		a.mu.Unlock()
	}
	return &assetFile{Reader: bytes.NewReader(data), name: path.Base(name), size: int64(len(data))}, nil
}

func (a *assetsFS) fetch(name string) ([]byte, error) {
	resp, err := a.client.Get(a.base + "/" + name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case resp.StatusCode != http.StatusOK:
		// Redirects included: a directory or an index.html rewrite is not
		// a file.
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("assets binding: status %d", resp.StatusCode)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAsset+1))
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if len(data) > maxAsset {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("larger than %d bytes", maxAsset)}
	}
	return data, nil
}

// assetFile is a file read whole from the binding. Its modification time
// is unknown (zero): the site validates by content hash (ETag) instead.
type assetFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *assetFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *assetFile) Close() error               { return nil }
func (f *assetFile) Name() string               { return f.name }
func (f *assetFile) Size() int64                { return f.size }
func (f *assetFile) Mode() fs.FileMode          { return 0o444 }
func (f *assetFile) ModTime() time.Time         { return time.Time{} }
func (f *assetFile) IsDir() bool                { return false }
func (f *assetFile) Sys() any                   { return nil }
