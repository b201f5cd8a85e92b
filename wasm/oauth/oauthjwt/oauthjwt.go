// Package oauthjwt verifies ID token signatures natively with
// golang-jwt/jwt/v5's signing methods. It is the [oauth.SignatureVerifier]
// of native programs and tests; the browser module uses WebCrypto instead,
// so that neither golang-jwt nor crypto/x509 is linked into it.
package oauthjwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// Verifier implements [oauth.SignatureVerifier] with jwt/v5.
type Verifier struct{}

// VerifySignature verifies signature over signingInput with key, using
// jwt/v5's signing method for alg (RFC 7518 §3).
func (Verifier) VerifySignature(_ context.Context, alg string, key *oauth.JWK, signingInput, signature []byte) error {
	m := jwt.GetSigningMethod(alg)
	if pss, ok := m.(*jwt.SigningMethodRSAPSS); ok {
		// jwt/v5 verifies PS* with any salt length; RFC 7518 §3.5 and
		// WebCrypto (saltLength = hash size) accept only the hash's size.
		strict := *pss
		strict.VerifyOptions = nil // Options: rsa.PSSSaltLengthEqualsHash
		m = &strict
	}
	if m == nil {
		return fmt.Errorf("oauthjwt: %s: %w", alg, oauth.ErrUnsupportedAlgorithm)
	}
	pub, err := PublicKey(key)
	if err != nil {
		return fmt.Errorf("oauthjwt: %w: %w", oauth.ErrInvalidSignature, err)
	}
	if err := m.Verify(string(signingInput), signature, pub); err != nil {
		return fmt.Errorf("oauthjwt: %w: %w", oauth.ErrInvalidSignature, err)
	}
	return nil
}

// PublicKey converts a key of a parsed key set (see [oauth.ParseKeySet]) to
// the Go public key jwt/v5 verifies with: *rsa.PublicKey,
// *ecdsa.PublicKey or ed25519.PublicKey.
func PublicKey(k *oauth.JWK) (crypto.PublicKey, error) {
	b64 := base64.RawURLEncoding
	switch k.Kty {
	case "RSA":
		n, err1 := b64.DecodeString(k.N)
		e, err2 := b64.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("malformed RSA key")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		default:
			return nil, errors.New("unsupported curve " + k.Crv)
		}
		x, err1 := b64.DecodeString(k.X)
		y, err2 := b64.DecodeString(k.Y)
		if err1 != nil || err2 != nil {
			return nil, errors.New("malformed EC key")
		}
		return ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
	case "OKP":
		x, err := b64.DecodeString(k.X)
		if err != nil || k.Crv != "Ed25519" || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("malformed Ed25519 key")
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, errors.New("unsupported kty " + k.Kty)
}
