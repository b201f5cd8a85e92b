package oauth

import (
	"context"
	"encoding/base64"
	"io"
)

// GenerateVerifier returns a new PKCE code_verifier: 32 bytes from r,
// base64url-encoded without padding, 43 characters (RFC 7636 §4.1 and
// §7.1). Pass crypto/rand.Reader; tests pass a fixed reader.
func GenerateVerifier(r io.Reader) (string, error) {
	return randomString(r, 32)
}

// S256Challenge returns the code_challenge for verifier with the S256
// method: BASE64URL(SHA256(ASCII(code_verifier))) (RFC 7636 §4.2), hashing
// with sha256 ([Options.SHA256]). The "plain" method is never used
// (RFC 9700 §2.1.1).
func S256Challenge(ctx context.Context, sha256 func(context.Context, []byte) ([32]byte, error), verifier string) (string, error) {
	sum, err := sha256(ctx, []byte(verifier))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// ValidVerifier reports whether v is a well-formed code_verifier: 43 to 128
// characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" (RFC 7636 §4.1).
func ValidVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

func randomString(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
