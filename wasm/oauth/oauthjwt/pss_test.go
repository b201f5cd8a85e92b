package oauthjwt

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"testing"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// PS256 signatures carry a salt as long as the hash (RFC 7518 §3.5), which
// is what WebCrypto verifies (saltLength 32). jwt/v5 verifies with any
// salt length (rsa.PSSSaltLengthAuto): the native verifier must not accept
// what the browser refuses.
func TestPSSSaltLengthIsTheHashSize(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwk := &oauth.JWK{Kty: "RSA", N: base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
	input := []byte("eyJhbGciOiJQUzI1NiJ9.e30")
	sum := sha256.Sum256(input)
	for _, tc := range []struct {
		salt int
		ok   bool
	}{{rsa.PSSSaltLengthEqualsHash, true}, {rsa.PSSSaltLengthAuto, false}, {20, false}} {
		sig, err := rsa.SignPSS(rand.Reader, k, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: tc.salt})
		if err != nil {
			t.Fatal(err)
		}
		if err := (Verifier{}).VerifySignature(context.Background(), "PS256", jwk, input, sig); (err == nil) != tc.ok {
			t.Errorf("salt length %d: err = %v, want ok=%v", tc.salt, err, tc.ok)
		}
	}
}
