//go:build js && wasm

package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// The WebCrypto verifier against Node's crypto.subtle: signatures made by
// Go's crypto verify; a flipped bit, another key, or a key of the wrong
// type do not.
func TestWebCryptoVerifier(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	input := []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9")
	sum := sha256.Sum256(input)

	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	rjwk := &oauth.JWK{Kty: "RSA", N: b64(rk.N.Bytes()), E: b64(big.NewInt(int64(rk.E)).Bytes())}
	rs256, _ := rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, sum[:])
	ps256, _ := rsa.SignPSS(rand.Reader, rk, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: 32})

	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var x, y [32]byte
	ek.PublicKey.X.FillBytes(x[:])
	ek.PublicKey.Y.FillBytes(y[:])
	ejwk := &oauth.JWK{Kty: "EC", Crv: "P-256", X: b64(x[:]), Y: b64(y[:])}
	r, s, _ := ecdsa.Sign(rand.Reader, ek, sum[:])
	es256 := make([]byte, 64) // JWS: raw r||s (RFC 7518 §3.4)
	r.FillBytes(es256[:32])
	s.FillBytes(es256[32:])

	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	okp := &oauth.JWK{Kty: "OKP", Crv: "Ed25519", X: b64(pub)}
	eddsa := ed25519.Sign(priv, input)

	flip := func(b []byte) []byte {
		c := append([]byte(nil), b...)
		c[len(c)/2] ^= 1
		return c
	}
	hasEd25519 := true
	for _, tc := range []struct {
		name string
		alg  string
		key  *oauth.JWK
		sig  []byte
		want error
	}{
		{"RS256", "RS256", rjwk, rs256, nil},
		{"RS256 flipped bit", "RS256", rjwk, flip(rs256), oauth.ErrInvalidSignature},
		{"PS256", "PS256", rjwk, ps256, nil},
		{"PS256 flipped bit", "PS256", rjwk, flip(ps256), oauth.ErrInvalidSignature},
		{"ES256", "ES256", ejwk, es256, nil},
		{"ES256 flipped bit", "ES256", ejwk, flip(es256), oauth.ErrInvalidSignature},
		{"ES256 DER-encoded is not JWS", "ES256", ejwk, append([]byte{0x30, 0x44}, es256...), oauth.ErrInvalidSignature},
		{"RS256 signature under ES256", "ES256", ejwk, rs256, oauth.ErrInvalidSignature},
		{"EdDSA", "EdDSA", okp, eddsa, nil},
		{"EdDSA flipped bit", "EdDSA", okp, flip(eddsa), oauth.ErrInvalidSignature},
		{"HS256 never", "HS256", rjwk, rs256, oauth.ErrUnsupportedAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := webCryptoVerifier{}.VerifySignature(context.Background(), tc.alg, tc.key, input, tc.sig)
			if tc.alg == "EdDSA" && errors.Is(err, oauth.ErrUnsupportedAlgorithm) {
				hasEd25519 = false
				t.Skip("this Node has no Ed25519 in WebCrypto")
			}
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Logf("Ed25519 in WebCrypto: %v", hasEd25519)
}

// A WebCrypto failure keeps both what it means for the core (the sentinel)
// and what WebCrypto threw: errors.Is and errors.As find each.
func TestWebCryptoErrorWrapsBoth(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	rjwk := &oauth.JWK{Kty: "RSA", N: b64(key.N.Bytes()), E: b64(big.NewInt(int64(key.E)).Bytes())}
	// An RSA key imported as ECDSA: importKey rejects it.
	err = webCryptoVerifier{}.VerifySignature(context.Background(), "ES256", rjwk, []byte("x"), make([]byte, 64))
	var je *jsException
	if !errors.Is(err, oauth.ErrInvalidSignature) || !errors.As(err, &je) {
		t.Fatalf("err = %v: want ErrInvalidSignature and the jsException both", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "webcrypto: ES256: ") || !strings.Contains(msg, oauth.ErrInvalidSignature.Error()) || !strings.Contains(msg, je.msg) {
		t.Fatalf("message %q lacks the algorithm, the sentinel's text or WebCrypto's", msg)
	}
	e := &cryptoError{kind: oauth.ErrUnsupportedAlgorithm, alg: "HS256"}
	if !errors.Is(e, oauth.ErrUnsupportedAlgorithm) || errors.Is(e, oauth.ErrInvalidSignature) || e.Error() != "webcrypto: HS256: "+oauth.ErrUnsupportedAlgorithm.Error() {
		t.Fatalf("cryptoError without a cause: %v", e)
	}
}
