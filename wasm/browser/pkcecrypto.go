//go:build js && wasm

package main

import (
	"context"
	"syscall/js"
)

// The PKCE's randomness and hash come from the browser (Web Crypto), so
// the module links no Go crypto package: crypto/rand and crypto/sha256
// cost about 44 KB of brotli together.

// cryptoRand is oauth.Options.Rand over crypto.getRandomValues, the
// browser's cryptographically secure generator.
type cryptoRand struct{}

// Read fills p; getRandomValues takes at most 65,536 bytes a call.
func (cryptoRand) Read(p []byte) (int, error) {
	for off := 0; off < len(p); off += 65536 {
		chunk := p[off:min(off+65536, len(p))]
		buf := js.Global().Get("Uint8Array").New(len(chunk))
		if err := catch(func() { js.Global().Get("crypto").Call("getRandomValues", buf) }); err != nil {
			return off, err
		}
		js.CopyBytesToGo(chunk, buf)
	}
	return len(p), nil
}

// subtleSHA256 is oauth.Options.SHA256 over crypto.subtle.digest. It waits
// for a Promise: never call it on a js.FuncOf goroutine.
func subtleSHA256(_ context.Context, data []byte) ([32]byte, error) {
	var sum [32]byte
	in := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(in, data)
	var p js.Value
	if err := catch(func() { p = js.Global().Get("crypto").Get("subtle").Call("digest", "SHA-256", in) }); err != nil {
		return sum, err
	}
	buf, err := await(p)
	if err != nil {
		return sum, err
	}
	js.CopyBytesToGo(sum[:], js.Global().Get("Uint8Array").New(buf))
	return sum, nil
}
