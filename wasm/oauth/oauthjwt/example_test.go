package oauthjwt_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gopkce/gopkce/wasm/oauth"
	"github.com/gopkce/gopkce/wasm/oauth/oauthhttp"
	"github.com/gopkce/gopkce/wasm/oauth/oauthjwt"
)

// A native program verifies an ID token against the provider's key set:
// the core selects the key and checks the claims (OpenID Connect Core
// §3.1.3.7), golang-jwt/jwt/v5 checks the signature.
func ExampleVerifier() {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	}))
	defer provider.Close()

	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": "https://idp.example.com", "aud": "my-client", "sub": "alice", "nonce": "n-0S6_WzA2Mj",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = "k1"
	idToken, _ := tok.SignedString(key)

	v := &oauth.IDTokenVerifier{
		Issuer: "https://idp.example.com", ClientID: "my-client", Leeway: oauth.DefaultClockLeeway,
		Keys:       oauth.NewRemoteKeys(provider.URL, oauthhttp.New(nil), nil, nil, 0),
		Signatures: oauthjwt.Verifier{},
	}
	claims, err := v.Verify(context.Background(), idToken, oauth.IDTokenExpect{Nonce: "n-0S6_WzA2Mj"})
	fmt.Println(claims["sub"], err)

	_, err = v.Verify(context.Background(), idToken, oauth.IDTokenExpect{Nonce: "another"})
	fmt.Println(oauth.FailedCheck(err))
	// Output:
	// alice <nil>
	// nonce
}
