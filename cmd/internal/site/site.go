// Package site is the static server of the demo: it serves web/ with the
// headers of the security checklist and refuses what a static server must
// refuse (dotfiles, traversal, symlinks out of the root, listings, methods
// other than GET and HEAD, //host paths).
package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/hashed"
)

// Options configure the handler.
type Options struct {
	// Files are the site's files (web/). Serve a directory through
	// [os.Root.FS] so that symlinks cannot leave it.
	Files fs.FS
	// Config is served as /config.json: {"gopkce": {...}, "api": "..."}.
	Config any
	// ConnectOrigins are added to CSP connect-src (token, discovery, JWKS
	// and API origins); FormOrigins to form-action (the authorize origin).
	ConnectOrigins []string
	FormOrigins    []string
	// Compress encodes a compressible file ("br" or "gzip") that has no
	// precompressed variant beside it (name.br, name.gz, at least as new).
	// nil: only precompressed variants are served (the edge, where they
	// are made at build time and compressing would cost CPU per isolate).
	Compress func(enc string, data []byte) ([]byte, error)
	// HTTPS adds Strict-Transport-Security.
	HTTPS bool
	// Log receives one access-log line per request, without query strings.
	Log io.Writer
}

// SPARoutes are the paths that serve index.html.
var SPARoutes = map[string]bool{"/": true, "/callback": true}

// Compressible reports whether a file of this name and size is worth
// serving compressed: a text or wasm type, more than 512 bytes.
func Compressible(name string, size int) bool { return compressible[path.Ext(name)] && size > 512 }

// compressible lists the types worth compressing.
var compressible = map[string]bool{
	".wasm": true, ".js": true, ".mjs": true, ".css": true, ".html": true, ".json": true, ".ts": true, ".svg": true, ".txt": true,
}

type handler struct {
	opts   Options
	files  fs.FS
	csp    string
	config []byte

	mu    sync.Mutex
	cache map[string]*entry
}

// entry is a file's content and its encodings, cached by modification time.
type entry struct {
	mod   time.Time
	size  int64
	ctype string
	body  map[string][]byte // "" identity, "br", "gzip"
	etag  map[string]string
	cache string // Cache-Control
	// hashed is gopkce.wasm's hashed name (that file only); module is,
	// for a page, the hashed name its references were rewritten to.
	hashed, module string
}

// New returns the site handler.
func New(opts Options) (http.Handler, error) {
	if opts.Files == nil {
		return nil, fmt.Errorf("site: no files")
	}
	cfg, err := json.Marshal(opts.Config)
	if err != nil {
		return nil, fmt.Errorf("site: config: %w", err)
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	connect := append([]string{"'self'"}, opts.ConnectOrigins...)
	form := append([]string{"'self'"}, opts.FormOrigins...)
	csp := "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src " + strings.Join(connect, " ") +
		"; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action " + strings.Join(form, " ") +
		"; object-src 'none'; frame-ancestors 'none'"
	return &handler{opts: opts, files: opts.Files, csp: csp, config: cfg, cache: map[string]*entry{}}, nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

// Unwrap lets http.ResponseController reach the connection's deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (h *handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w := &statusWriter{ResponseWriter: rw}
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	if h.opts.HTTPS {
		hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	h.serve(w, r)
	// The path only: query strings carry authorization codes.
	fmt.Fprintf(h.opts.Log, "%s %s %s %d %d %s\n", start.Format(time.RFC3339), r.Method, strconv.Quote(r.URL.Path), w.status, w.n, time.Since(start).Round(time.Microsecond))
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "404 page not found", http.StatusNotFound)
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, ok := cleanPath(r)
	if !ok {
		notFound(w)
		return
	}
	if p == "/config.json" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(h.config)
		return
	}
	if SPARoutes[p] {
		p = "/index.html"
	}
	e, err := h.load(p[1:])
	if err != nil {
		notFound(w)
		return
	}
	enc := ""
	if e.body["br"] != nil || e.body["gzip"] != nil {
		w.Header().Add("Vary", "Accept-Encoding")
		enc = negotiate(r.Header.Get("Accept-Encoding"), e)
	}
	w.Header().Set("Content-Type", e.ctype)
	w.Header().Set("Cache-Control", e.cache)
	var mod time.Time
	if e.cache != noStore {
		// One ETag per encoding: a revalidation or an If-Range names the
		// bytes it holds (RFC 9110 §8.8.3).
		w.Header().Set("ETag", e.etag[enc])
		mod = e.mod
	}
	if enc != "" {
		w.Header().Set("Content-Encoding", enc)
	}
	body := e.body[enc]
	if r.Method == http.MethodGet {
		extendWriteDeadline(w, len(body))
	}
	// If-None-Match, If-Match, If-Modified-Since, If-Range, Range and HEAD
	// (RFC 9110 §13, §14). A Range applies to the encoded bytes.
	http.ServeContent(encodedLength{w, len(body)}, r, p, mod, bytes.NewReader(body))
}

// encodedLength restores the Content-Length that http.ServeContent leaves
// out when Content-Encoding is set: the body is already encoded here, so
// its length is known, and a client can show the module's download
// progress.
type encodedLength struct {
	http.ResponseWriter
	n int
}

func (w encodedLength) WriteHeader(code int) {
	h := w.Header()
	if h.Get("Content-Encoding") != "" && h.Get("Content-Length") == "" {
		switch code {
		case http.StatusOK:
			h.Set("Content-Length", strconv.Itoa(w.n))
		case http.StatusPartialContent:
			// A single range: "bytes first-last/size".
			var first, last, size int
			if _, err := fmt.Sscanf(h.Get("Content-Range"), "bytes %d-%d/%d", &first, &last, &size); err == nil && size == w.n {
				h.Set("Content-Length", strconv.Itoa(last-first+1))
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w encodedLength) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Slow clients. The server's write timeout bounds small responses; a large
// one gets writeGrace plus the time its body takes at slowClientRate, so a
// client on a slow link still receives the whole module (1.2 MB brotli,
// 5.4 MB identity) while a stalled one is cut off.
var (
	slowClientRate = 16 << 10 // bytes per second (128 kbit/s)
	writeGrace     = 30 * time.Second
)

func extendWriteDeadline(w http.ResponseWriter, n int) {
	d := writeGrace + time.Duration(n)*time.Second/time.Duration(slowClientRate)
	// Not every ResponseWriter has a deadline (httptest, Workers):
	// http.ErrNotSupported is expected there.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
}

// cleanPath accepts only plain paths: no "//", no backslash, no NUL, no
// encoded slash or dot, and no segment that is ".", ".." or starts with a
// dot (dotfiles such as .git/config).
func cleanPath(r *http.Request) (string, bool) {
	p := r.URL.Path
	raw := strings.ToLower(r.URL.EscapedPath())
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.ContainsAny(p, "\\\x00") ||
		strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") || strings.Contains(raw, "%2e") || strings.Contains(raw, "%00") {
		return "", false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	if path.Clean(p) != p && p != "/" {
		return "", false
	}
	return p, true
}

// negotiate picks br, then gzip, when Accept-Encoding allows it (q=0
// refuses an encoding, RFC 9110 §12.5.3).
func negotiate(accept string, e *entry) string {
	ok := map[string]bool{}
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if k, v, found := strings.Cut(strings.TrimSpace(params), "="); found && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		ok[strings.ToLower(strings.TrimSpace(name))] = q > 0
	}
	for _, enc := range []string{"br", "gzip"} {
		if e.body[enc] != nil && ok[enc] {
			return enc
		}
	}
	return ""
}

// load reads name from the site's files and caches its content and
// encodings. Directories are not served.
func (h *handler) load(name string) (*entry, error) {
	f, err := h.files.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fs.ErrNotExist
	}
	h.mu.Lock()
	e := h.cache[name]
	h.mu.Unlock()
	page := path.Ext(name) == ".html"
	module := ""
	if page {
		module = h.moduleName()
	}
	if e != nil && e.mod.Equal(st.ModTime()) && e.size == st.Size() && e.module == module {
		return e, nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	ext := path.Ext(name)
	ctype := mime.TypeByExtension(ext)
	switch ext {
	case ".wasm":
		ctype = "application/wasm"
	case ".mjs", ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".ts":
		ctype = "text/plain; charset=utf-8"
	case "":
		ctype = "application/octet-stream"
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	cache := cacheControl(name)
	if hashed.Is(path.Base(name)) && hashed.Name(data) != path.Base(name) {
		cache = "no-cache" // not the module its name says: never immutable
	}
	rewritten := false
	if module != "" {
		// The demo's page names the hashed module: a repeat visit takes
		// it from the HTTP cache without a request.
		if p := hashed.Rewrite(data, "/"+hashed.Module, "/"+module); !bytes.Equal(p, data) {
			data, rewritten = p, true
		}
	}
	e = &entry{mod: st.ModTime(), size: st.Size(), ctype: ctype, cache: cache,
		body: map[string][]byte{"": data}, etag: map[string]string{}, module: module}
	if name == hashed.Module {
		e.hashed = hashed.Name(data)
	}
	var later []string // encodings to compress in the background
	if Compressible(name, len(data)) {
		for _, enc := range []string{"br", "gzip"} {
			b, ok := h.precompressed(name+suffixFile(enc), st.ModTime())
			if rewritten {
				ok = false // the variant holds the page before the rewrite
			}
			switch {
			case ok:
				e.body[enc] = b
			case h.opts.Compress != nil && len(data) > syncCompressMax:
				later = append(later, enc)
			default:
				e.body[enc] = h.compress(enc, data)
			}
		}
	}
	for enc, b := range e.body {
		if b == nil {
			delete(e.body, enc)
			continue
		}
		e.etag[enc] = etagOf(b, enc)
	}
	h.mu.Lock()
	h.cache[name] = e
	h.mu.Unlock()
	if len(later) > 0 {
		go h.compressLater(name, e, later)
	}
	return e, nil
}

// moduleName is the hashed name of the site's gopkce.wasm when its hashed
// copy (written by the build) is there too; "" otherwise.
func (h *handler) moduleName() string {
	e, err := h.load(hashed.Module)
	if err != nil || e.hashed == "" {
		return ""
	}
	f, err := h.files.Open(e.hashed)
	if err != nil {
		return ""
	}
	f.Close()
	return e.hashed
}

// syncCompressMax is the largest file compressed in memory before it is
// first served. A larger one (an un-precompressed gopkce.wasm in a bundler's
// output) is served unencoded until its variants, compressed in the
// background, are ready: brotli of 5 MB takes seconds, and minutes under
// the race detector.
const syncCompressMax = 256 << 10

// compressLater adds the encodings of a large file to its cache entry, if
// the entry is still current when they are ready. Entries are never
// modified in place: a new one replaces e.
func (h *handler) compressLater(name string, e *entry, encs []string) {
	next := *e
	next.body = maps.Clone(e.body)
	next.etag = maps.Clone(e.etag)
	for _, enc := range encs {
		if b := h.compress(enc, e.body[""]); b != nil {
			next.body[enc], next.etag[enc] = b, etagOf(b, enc)
		}
	}
	h.mu.Lock()
	if h.cache[name] == e {
		h.cache[name] = &next
	}
	h.mu.Unlock()
}

func etagOf(b []byte, enc string) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + suffix(enc) + `"`
}

// suffixFile is the file-name suffix of a precompressed variant.
func suffixFile(enc string) string {
	if enc == "gzip" {
		return ".gz"
	}
	return "." + enc
}

const noStore = "no-store"

// immutable is the policy of the hashed module: its name changes with its
// bytes, so a browser keeps it a year without asking (RFC 9111 §5.2.2.1,
// RFC 8246).
const immutable = "public, max-age=31536000, immutable"

// cacheControl is the caching policy of each file. Pages are never stored:
// the callback URL carries the code. The hashed module
// (gopkce.<hash>.wasm) is immutable. Everything else is revalidated on
// each use by its ETag, so a rebuilt module is picked up at once; Chromium
// keeps the compiled wasm in its code cache across a 304.
func cacheControl(name string) string {
	switch {
	case path.Ext(name) == ".html":
		return noStore
	case hashed.Is(path.Base(name)):
		return immutable
	}
	return "no-cache"
}

func suffix(enc string) string {
	if enc == "" {
		return ""
	}
	return "-" + enc
}

// precompressed reads the variant stored beside a file, when it is at
// least as new as the original.
func (h *handler) precompressed(name string, mod time.Time) ([]byte, bool) {
	f, err := h.files.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && !st.ModTime().Before(mod) {
		if b, err := io.ReadAll(f); err == nil {
			return b, true
		}
	}
	return nil, false
}

// compress encodes data in memory when Options.Compress is set. nil: no
// variant (no compressor, an error, or no gain).
func (h *handler) compress(enc string, data []byte) []byte {
	if h.opts.Compress == nil {
		return nil
	}
	b, err := h.opts.Compress(enc, data)
	if err != nil || len(b) >= len(data) {
		return nil
	}
	return b
}
