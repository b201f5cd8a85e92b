package oauth

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// signedWithHeader is a valid ID token (see idToken) under a hand-written
// protected header.
func signedWithHeader(t *testing.T, header string) string {
	t.Helper()
	payload := strings.SplitN(idToken(t, nil), ".", 3)[1]
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + payload
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, testKey(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// JOSE Header Parameter names are case-sensitive (RFC 7515 §4; RFC 7159
// member names): "Alg" is not "alg". encoding/json matches struct fields
// case-insensitively, so a header without any "alg" was read as RS256 and
// accepted, where golang-jwt/jwt/v5 and every JavaScript library refuse
// it, and {"alg":"RS256","ALG":"none"} was read as none.
func TestJOSEHeaderNamesAreCaseSensitive(t *testing.T) {
	v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Leeway: DefaultClockLeeway,
		Keys: StaticKeys{testKeys()}, Signatures: rsaVerifier{}, Now: newClock().Now}
	ctx := context.Background()
	if _, err := v.Verify(ctx, signedWithHeader(t, `{"alg":"RS256","kid":"test-key"}`), IDTokenExpect{}); err != nil {
		t.Fatalf("control token refused: %v", err)
	}
	for _, h := range []string{`{"Alg":"RS256","kid":"test-key"}`, `{"ALG":"RS256","KID":"test-key"}`} {
		if _, err := v.Verify(ctx, signedWithHeader(t, h), IDTokenExpect{}); FailedCheck(err) != CheckFormat {
			t.Errorf("header %s: got %v, want a format refusal (no alg)", h, err)
		}
	}
	j, err := ParseJWS(signedWithHeader(t, `{"alg":"RS256","kid":"test-key","ALG":"none","Kid":"other"}`))
	if err != nil || j.Header.Alg != "RS256" || j.Header.Kid != "test-key" {
		t.Errorf("case-folded duplicates overrode alg/kid: %+v %v", j, err)
	}
}

// base64url parts are the URL-safe alphabet and nothing else (RFC 7515
// §2, §7.1). Go's decoder skips CR and LF even in Strict mode, which made
// a token malleable (a newline in the signature still verified) and a key
// usable natively that WebCrypto's importKey refuses.
func TestBase64urlRefusesLineBreaks(t *testing.T) {
	tok := idToken(t, nil)
	i := strings.LastIndex(tok, ".") + 10
	for _, bad := range []string{tok[:i] + "\n" + tok[i:], tok[:i] + "\r" + tok[i:], strings.Replace(tok, ".", "\n.", 1)} {
		if _, err := ParseJWS(bad); err == nil {
			t.Errorf("token with a line break parsed: %q", bad[i-12:i+4])
		}
	}
	n := base64.RawURLEncoding.EncodeToString(append([]byte{0xc0}, make([]byte, 255)...))
	ks, err := ParseKeySet([]byte(`{"keys":[{"kty":"RSA","kid":"nl","n":"` + n[:40] + `\n` + n[40:] + `","e":"AQAB"}]}`))
	if err != nil || len(ks.Keys) != 0 {
		t.Errorf("key whose n has a line break kept: %+v %v", ks, err)
	}
}

// JWK member names are case-sensitive too: {"use":"enc","USE":"sig"} is
// an encryption key, not a signing key.
func TestJWKMemberNamesAreCaseSensitive(t *testing.T) {
	n := base64.RawURLEncoding.EncodeToString(append([]byte{0xc0}, make([]byte, 255)...))
	ks, err := ParseKeySet([]byte(`{"keys":[
		{"kty":"RSA","kid":"a","use":"enc","USE":"sig","n":"` + n + `","e":"AQAB"},
		{"kty":"RSA","kid":"b","alg":"RSA-OAEP","Alg":"RS256","n":"` + n + `","e":"AQAB"},
		{"kty":"RSA","kid":"ok","n":"` + n + `","e":"AQAB"}]}`))
	if err != nil || len(ks.Keys) != 1 || ks.Keys[0].Kid != "ok" {
		t.Errorf("keys kept: %+v %v", ks, err)
	}
}
