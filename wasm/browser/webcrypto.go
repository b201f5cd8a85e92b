//go:build js && wasm

package main

import (
	"context"
	"strings"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// webCryptoVerifier is the oauth.SignatureVerifier of the browser: the
// key is imported with crypto.subtle.importKey("jwk", ...) and the
// signature checked with crypto.subtle.verify. No signature code is linked
// into the module. JWS ECDSA signatures are raw r||s (RFC 7518 §3.4), which
// is the form WebCrypto verifies; Ed25519 works where the browser has it
// (Chromium 137+, Firefox 129+, Safari 17+), and is refused as an
// unsupported algorithm elsewhere.
type webCryptoVerifier struct{}

// webCryptoAlg is what importKey and verify take for a JWS alg.
type webCryptoAlg struct {
	name, hash, curve string
	saltLength        int
}

// webCryptoAlgFor returns what importKey and verify take for alg. A
// switch rather than a map: a map literal is built by code at start-up,
// which weighs more in the module.
func webCryptoAlgFor(alg string) (webCryptoAlg, bool) {
	switch alg {
	case "RS256":
		return webCryptoAlg{name: "RSASSA-PKCS1-v1_5", hash: "SHA-256"}, true
	case "RS384":
		return webCryptoAlg{name: "RSASSA-PKCS1-v1_5", hash: "SHA-384"}, true
	case "RS512":
		return webCryptoAlg{name: "RSASSA-PKCS1-v1_5", hash: "SHA-512"}, true
	case "PS256":
		return webCryptoAlg{name: "RSA-PSS", hash: "SHA-256", saltLength: 32}, true
	case "PS384":
		return webCryptoAlg{name: "RSA-PSS", hash: "SHA-384", saltLength: 48}, true
	case "PS512":
		return webCryptoAlg{name: "RSA-PSS", hash: "SHA-512", saltLength: 64}, true
	case "ES256":
		return webCryptoAlg{name: "ECDSA", hash: "SHA-256", curve: "P-256"}, true
	case "ES384":
		return webCryptoAlg{name: "ECDSA", hash: "SHA-384", curve: "P-384"}, true
	case "EdDSA":
		return webCryptoAlg{name: "Ed25519"}, true
	}
	return webCryptoAlg{}, false
}

func (webCryptoVerifier) VerifySignature(ctx context.Context, alg string, k *oauth.JWK, input, sig []byte) error {
	a, ok := webCryptoAlgFor(alg)
	subtle := js.Global().Get("crypto").Get("subtle")
	if !ok || !subtle.Truthy() {
		return &cryptoError{kind: oauth.ErrUnsupportedAlgorithm, alg: alg}
	}
	// Only the public members: WebCrypto refuses a JWK whose alg, use or
	// key_ops disagree with the import, and the core has checked them.
	jwk := object(map[string]any{"kty": k.Kty, "ext": true})
	switch k.Kty {
	case "RSA":
		jwk.Set("n", k.N)
		jwk.Set("e", k.E)
	case "EC":
		jwk.Set("crv", k.Crv)
		jwk.Set("x", k.X)
		jwk.Set("y", k.Y)
	case "OKP":
		jwk.Set("crv", k.Crv)
		jwk.Set("x", k.X)
	}
	imp := object(map[string]any{"name": a.name})
	ver := object(map[string]any{"name": a.name})
	switch a.name {
	case "RSASSA-PKCS1-v1_5":
		imp.Set("hash", a.hash)
	case "RSA-PSS":
		imp.Set("hash", a.hash)
		ver.Set("saltLength", a.saltLength)
	case "ECDSA":
		imp.Set("namedCurve", a.curve)
		ver.Set("hash", a.hash)
	}
	var p js.Value
	if err := catch(func() {
		p = subtle.Call("importKey", "jwk", jwk, imp, false, js.Global().Get("Array").Call("of", "verify"))
	}); err != nil {
		return &cryptoError{kind: oauth.ErrUnsupportedAlgorithm, alg: alg, err: err}
	}
	key, err := await(p)
	if err != nil {
		if je, ok := err.(*jsException); ok && strings.HasPrefix(je.msg, "NotSupportedError") {
			return &cryptoError{kind: oauth.ErrUnsupportedAlgorithm, alg: alg, err: err}
		}
		return &cryptoError{kind: oauth.ErrInvalidSignature, alg: alg, err: err}
	}
	s := js.Global().Get("Uint8Array").New(len(sig))
	js.CopyBytesToJS(s, sig)
	data := js.Global().Get("Uint8Array").New(len(input))
	js.CopyBytesToJS(data, input)
	if err := catch(func() { p = subtle.Call("verify", ver, key, s, data) }); err != nil {
		return &cryptoError{kind: oauth.ErrInvalidSignature, alg: alg, err: err}
	}
	ok2, err := await(p)
	if err != nil {
		return &cryptoError{kind: oauth.ErrInvalidSignature, alg: alg, err: err}
	}
	if ok2.Type() != js.TypeBoolean || !ok2.Bool() {
		return oauth.ErrInvalidSignature
	}
	return nil
}

// object makes a plain JavaScript object.
func object(fields map[string]any) js.Value {
	o := js.Global().Get("Object").New()
	for k, v := range fields {
		o.Set(k, v)
	}
	return o
}

// cryptoError is a WebCrypto failure: kind is the core's sentinel
// (oauth.ErrUnsupportedAlgorithm or oauth.ErrInvalidSignature), err what
// WebCrypto threw, if anything. errors.Is finds both.
type cryptoError struct {
	kind error
	alg  string
	err  error
}

func (e *cryptoError) Error() string {
	msg := "webcrypto: " + e.alg + ": " + e.kind.Error()
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	return msg
}

func (e *cryptoError) Unwrap() []error {
	if e.err == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.err}
}
