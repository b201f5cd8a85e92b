// Package hashed names the content-hashed copy of the module,
// gopkce.<hash>.wasm, that the build writes beside gopkce.wasm, and
// rewrites a page's references to it. The build, the site (cmd/serve and
// the edge) and the edge's asset build share these rules; web/gopkce.js
// recognises the same names in a page's preload link.
//
// A hashed name changes whenever the module's bytes change, so its
// response can be cached for a year without revalidation (RFC 9111
// §5.2.2.1, max-age; RFC 8246, immutable).
package hashed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Module is the unhashed name of the module.
const Module = "gopkce.wasm"

// hexLen is the number of hex digits of the hash in a name: 64 bits of
// SHA-256, enough that two builds never share a name.
const hexLen = 16

// Name is the hashed name of a module with these bytes:
// gopkce.<first 16 hex digits of its SHA-256>.wasm.
func Name(module []byte) string {
	sum := sha256.Sum256(module)
	return "gopkce." + hex.EncodeToString(sum[:hexLen/2]) + ".wasm"
}

// Is reports whether a file name (no directory) has the form of a hashed
// module name. It does not check the hash: see [Name].
func Is(name string) bool {
	h, ok := strings.CutPrefix(name, "gopkce.")
	if !ok {
		return false
	}
	h, ok = strings.CutSuffix(h, ".wasm")
	if !ok || len(h) != hexLen {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Rewrite rewrites, in a page, the references to the module that are
// exactly from (such as "/gopkce.wasm") to to (such as
// "/gopkce.<hash>.wasm"): the data-wasm attribute of a <script> (the
// loader's module URL) and the href of a <link rel="preload">. The loader
// takes the module's URL from either, so the page then asks for a name
// that can be cached immutably. Other tags and text are left as they are;
// a page without such a reference is returned unchanged (the same slice).
func Rewrite(page []byte, from, to string) []byte {
	var out []byte
	done := 0 // bytes of page already copied to out
	for _, r := range []struct{ tag, must, attr string }{
		{"<link", `rel="preload"`, `href="`},
		{"<script", "", `data-wasm="`},
	} {
		rest := page
		for {
			i := bytes.Index(rest, []byte(r.tag))
			if i < 0 {
				break
			}
			j := bytes.IndexByte(rest[i:], '>')
			if j < 0 {
				break
			}
			tag := rest[i : i+j+1]
			off := len(page) - len(rest) + i // offset of tag in page
			rest = rest[i+j+1:]
			if r.must != "" && !bytes.Contains(tag, []byte(r.must)) {
				continue
			}
			k := attrAt(tag, r.attr)
			if k < 0 {
				continue
			}
			v := tag[k+len(r.attr):]
			end := bytes.IndexByte(v, '"')
			if end < 0 || string(v[:end]) != from {
				continue
			}
			at := off + k + len(r.attr) // where the value starts
			out = append(out, page[done:at]...)
			out = append(out, to...)
			done = at + len(from)
		}
		if out != nil {
			page = append(out, page[done:]...)
			out, done = nil, 0
		}
	}
	return page
}

// attrAt returns the offset in tag of attr (such as `href="`) where it
// starts an attribute, after ASCII whitespace, or -1.
func attrAt(tag []byte, attr string) int {
	for off := 0; ; {
		k := bytes.Index(tag[off:], []byte(attr))
		if k < 0 {
			return -1
		}
		k += off
		if k > 0 && strings.IndexByte(" \t\n\r\f", tag[k-1]) >= 0 {
			return k
		}
		off = k + 1
	}
}
