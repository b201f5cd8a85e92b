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

// A member name twice is refused, not resolved one way or the other: in
// the JOSE header (RFC 7515 §4: reject, or take the last; a verifier that
// took the first would read {"alg":"RS256","alg":"none"} otherwise than
// one that took the last), in the claims (RFC 7519 §4), and in a key set
// (RFC 7517 §4). Names that differ in case are different members, read
// exactly.
func TestJOSEDuplicateMembersRefused(t *testing.T) {
	v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Leeway: DefaultClockLeeway,
		Keys: StaticKeys{testKeys()}, Signatures: rsaVerifier{}, Now: newClock().Now}
	ctx := context.Background()
	for _, h := range []string{`{"alg":"RS256","kid":"test-key","alg":"RS256"}`, `{"alg":"RS256","kid":"test-key","kid":"other"}`,
		`{"alg":"RS256","kid":"test-key","\u0061lg":"none"}`, `{"alg":"RS256","kid":"test-key","x":{"y":1,"y":2}}`} {
		if _, err := v.Verify(ctx, signedWithHeader(t, h), IDTokenExpect{}); FailedCheck(err) != CheckFormat {
			t.Errorf("header %s: got %v, want a format refusal", h, err)
		}
	}
	// The claims of a valid token, with one claim repeated.
	payload, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(idToken(t, nil), ".", 3)[1])
	for _, extra := range []string{`"sub":"admin",`, `"aud":"client-1",`, `"iss":"https://idp.example.com",`} {
		claims := "{" + extra + string(payload[1:])
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"test-key"}`))
		input := h + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
		sum := sha256.Sum256([]byte(input))
		sig, err := rsa.SignPKCS1v15(nil, testKey(), crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, input+"."+base64.RawURLEncoding.EncodeToString(sig), IDTokenExpect{}); FailedCheck(err) != CheckFormat {
			t.Errorf("claims %s: got %v, want a format refusal", claims, err)
		}
		if _, err := DecodeClaimsUnverified(input + ".c2ln"); err == nil {
			t.Errorf("DecodeClaimsUnverified accepted %s", claims)
		}
	}
	n := base64.RawURLEncoding.EncodeToString(append([]byte{0xc0}, make([]byte, 255)...))
	for _, set := range []string{
		`{"keys":[{"kty":"RSA","kid":"a","use":"sig","use":"enc","n":"` + n + `","e":"AQAB"}]}`,
		`{"keys":[{"kty":"RSA","kid":"a","n":"` + n + `","e":"AQAB"}],"keys":[]}`,
	} {
		if ks, err := ParseKeySet([]byte(set)); err == nil {
			t.Errorf("key set %s accepted: %+v", set, ks)
		}
	}
	// "USE" is an unknown member, ignored: the key is a signing key.
	ks, err := ParseKeySet([]byte(`{"keys":[{"kty":"RSA","kid":"a","USE":"enc","n":"` + n + `","e":"AQAB"}]}`))
	if err != nil || len(ks.Keys) != 1 || ks.Keys[0].Use != "" {
		t.Errorf("key with an unknown USE member: %+v %v", ks, err)
	}
}

// Discovery members are exact too, and a member twice refuses the
// document: {"issuer":A,"issuer":B} could be checked against one issuer
// and used as the other.
func TestDiscoveryMemberNamesExact(t *testing.T) {
	const rest = `"authorization_endpoint":"https://idp.example.com/a","token_endpoint":"https://idp.example.com/t"`
	if _, err := ParseDiscovery([]byte(`{"issuer":"https://idp.example.com",`+rest+`}`), "https://idp.example.com"); err != nil {
		t.Fatalf("control document refused: %v", err)
	}
	for _, doc := range []string{
		`{"issuer":"https://idp.example.com","issuer":"https://evil.example",` + rest + `}`,
		`{"ISSUER":"https://idp.example.com",` + rest + `}`,
		`{"issuer":"https://idp.example.com","code_challenge_methods_supported":["S256"],"code_challenge_methods_supported":["plain"],` + rest + `}`,
	} {
		if m, err := ParseDiscovery([]byte(doc), "https://idp.example.com"); code(err) != CodeInvalidDiscovery {
			t.Errorf("%s: %+v %v, want invalid_discovery", doc, m, err)
		}
	}
}
