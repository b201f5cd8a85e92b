package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
)

// testDPoPKey is a crypto/ecdsa key for the core's tests.
type testDPoPKey struct{ k *ecdsa.PrivateKey }

func newTestDPoPKey(t *testing.T) *testDPoPKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &testDPoPKey{k}
}

func (k *testDPoPKey) PublicJWK() (string, string) {
	b, _ := k.k.PublicKey.Bytes()
	return base64.RawURLEncoding.EncodeToString(b[1:33]), base64.RawURLEncoding.EncodeToString(b[33:])
}

func (k *testDPoPKey) Sign(_ context.Context, in []byte) ([]byte, error) {
	sum := sha256.Sum256(in)
	r, s, err := ecdsa.Sign(rand.Reader, k.k, sum[:])
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, err
}

func sha(_ context.Context, b []byte) ([32]byte, error) { return sha256.Sum256(b), nil }

func TestThumbprint(t *testing.T) {
	k := newTestDPoPKey(t)
	x, y := k.PublicJWK()
	// RFC 7638 §3: the required members in lexicographic order, no
	// white space; encoding/json sorts map keys.
	canon, _ := json.Marshal(map[string]string{"kty": "EC", "crv": "P-256", "x": x, "y": y})
	sum := sha256.Sum256(canon)
	got, err := Thumbprint(context.Background(), sha, k)
	if err != nil || got != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Fatalf("Thumbprint = %q, %v", got, err)
	}
}

func TestDPoPProof(t *testing.T) {
	c, err := NewClient(Config{AuthorizationEndpoint: "https://idp.example/a", TokenEndpoint: "https://idp.example/t",
		ClientID: "c", RedirectURI: "https://app.example/cb"}, Options{Transport: TransportFunc(nil), Rand: rand.Reader, SHA256: sha})
	if err != nil {
		t.Fatal(err)
	}
	k := newTestDPoPKey(t)
	c.rememberNonce("https://API.example:443/x", "n-1")
	seen := map[string]bool{}
	for range 3 {
		p, err := c.dpopProof(context.Background(), k, "GET", "https://API.example/v1/me?q=1#f", "tok")
		if err != nil {
			t.Fatal(err)
		}
		j, err := ParseJWS(p)
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Typ, Alg string
			JWK      map[string]string
		}
		var cl map[string]any
		hb, _ := base64.RawURLEncoding.DecodeString(string(j.SigningInput[:strings.IndexByte(string(j.SigningInput), '.')]))
		json.Unmarshal(hb, &h)
		json.Unmarshal(j.Payload, &cl)
		x, y := k.PublicJWK()
		if h.Typ != "dpop+jwt" || h.Alg != "ES256" || h.JWK["kty"] != "EC" || h.JWK["x"] != x || h.JWK["y"] != y || len(h.JWK) != 4 {
			t.Fatalf("header %+v", h)
		}
		ath := sha256.Sum256([]byte("tok"))
		if cl["htm"] != "GET" || cl["htu"] != "https://api.example/v1/me" || cl["ath"] != base64.RawURLEncoding.EncodeToString(ath[:]) || cl["nonce"] != "n-1" {
			t.Fatalf("claims %v", cl)
		}
		if iat := int64(cl["iat"].(float64)); time.Since(time.Unix(iat, 0)).Abs() > 5*time.Second {
			t.Fatalf("iat %d", iat)
		}
		jti, _ := cl["jti"].(string)
		if jti == "" || seen[jti] {
			t.Fatalf("jti %q repeated or empty", jti)
		}
		seen[jti] = true
		sum := sha256.Sum256(j.SigningInput)
		r, s := new(big.Int).SetBytes(j.Signature[:32]), new(big.Int).SetBytes(j.Signature[32:])
		if !ecdsa.Verify(&k.k.PublicKey, sum[:], r, s) {
			t.Fatal("signature does not verify")
		}
	}
	if _, err := c.dpopProof(context.Background(), k, "GET", "ftp://x/", ""); code(err) != CodeInvalidArgument {
		t.Fatalf("ftp URL: %v", err)
	}
}

func TestDPoPNonceAndClock(t *testing.T) {
	c, _ := NewClient(Config{AuthorizationEndpoint: "https://idp.example/a", TokenEndpoint: "https://idp.example/t",
		ClientID: "c", RedirectURI: "https://app.example/cb"}, Options{Transport: TransportFunc(nil), Rand: rand.Reader, SHA256: sha})
	if !c.rememberNonce("https://a.example/p", "abc") || c.rememberNonce("https://a.example/q", "abc") {
		t.Fatal("a nonce is new once per origin")
	}
	if c.dpopNonce("https://b.example/") != "" {
		t.Fatal("a nonce crossed origins")
	}
	for _, bad := range []string{"with space", `quo"te`, strings.Repeat("a", 2000), ""} {
		if c.rememberNonce("https://a.example/", bad) {
			t.Errorf("nonce %q kept", bad)
		}
	}
	if c.learnClock(time.Now().UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")) {
		t.Fatal("a correct clock changed the offset")
	}
	if !c.learnClock(time.Now().Add(-time.Hour).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")) || c.dpopNow().Sub(time.Now()) > -59*time.Minute {
		t.Fatal("the offset was not learnt")
	}
	if c.learnClock("not a date") {
		t.Fatal("a bad Date header changed the offset")
	}
}

func TestChallengeErrorDPoP(t *testing.T) {
	h := `Bearer error="invalid_token", DPoP error="use_dpop_nonce", algs="ES256"`
	if ChallengeError(h, "DPoP") != "use_dpop_nonce" || BearerError(h) != "invalid_token" {
		t.Fatal(ChallengeError(h, "DPoP"), BearerError(h))
	}
}

func TestDPoPConfig(t *testing.T) {
	for _, raw := range []string{
		`{"clientId":"c","redirectUri":"https://a.example/cb","tokenHandler":"/oauth","authorizationEndpoint":"https://i.example/a","dpop":"required"}`,
		`{"clientId":"c","redirectUri":"https://a.example/cb","tokenEndpoint":"https://i.example/t","authorizationEndpoint":"https://i.example/a","dpop":"yes"}`,
		`{"clientId":"c","redirectUri":"https://a.example/cb","tokenEndpoint":"https://i.example/t","authorizationEndpoint":"https://i.example/a","dpop":"required","useToken":"id_token"}`,
	} {
		if _, err := ParseConfig([]byte(raw)); code(err) != CodeInvalidConfig {
			t.Errorf("%s: %v", raw, err)
		}
	}
	cfg, err := ParseConfig([]byte(`{"clientId":"c","redirectUri":"https://a.example/cb","tokenEndpoint":"https://i.example/t","authorizationEndpoint":"https://i.example/a","dpop":"if-supported"}`))
	if err != nil || cfg.DPoP != DPoPIfSupported {
		t.Fatal(cfg.DPoP, err)
	}
	if _, err := NewClient(cfg, Options{Transport: TransportFunc(nil), Rand: rand.Reader, SHA256: sha}); code(err) != CodeInvalidConfig {
		t.Fatalf("dpop without a key store: %v", err)
	}
}

// The nonce of a successful API response is kept for that origin, and
// only for an origin of apiOrigins.
func TestKeepDPoPNonce(t *testing.T) {
	c, err := NewClient(Config{AuthorizationEndpoint: "https://idp.example/a", TokenEndpoint: "https://idp.example/t",
		ClientID: "c", RedirectURI: "https://app.example/cb", APIOrigins: []string{"https://api.example"}},
		Options{Transport: TransportFunc(nil), Rand: rand.Reader, SHA256: sha})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.KeepDPoPNonce("https://api.example/v1/me", "n-2"); err != nil || c.dpopNonce("https://api.example/x") != "n-2" {
		t.Fatalf("nonce of a success not kept: %v", err)
	}
	if err := c.KeepDPoPNonce("https://evil.example/", "n-3"); err == nil || c.dpopNonce("https://evil.example/") != "" {
		t.Fatalf("nonce kept for an origin outside apiOrigins: %v", err)
	}
}
