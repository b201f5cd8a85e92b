package oauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// maxJWTBytes caps the size of a JWT the core decodes. Real ID tokens are
// one or two kilobytes; B2C's with many claims stay well under this.
const maxJWTBytes = 64 << 10

// JOSEHeader is the protected header of a JWS (RFC 7515 §4.1) as far as ID
// token verification needs it.
type JOSEHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid,omitempty"`
	Typ string `json:"typ,omitempty"`
}

// JWS is a decoded JWS in compact serialization (RFC 7515 §7.1). Nothing
// in it is verified: [ParseJWS] only checks that it is well formed.
type JWS struct {
	Header JOSEHeader
	// Payload is the decoded payload: the claims' JSON for a JWT.
	Payload []byte
	// SigningInput is ASCII(BASE64URL(header) || '.' || BASE64URL(payload)),
	// the bytes the signature covers (RFC 7515 §5.2).
	SigningInput []byte
	// Signature is the decoded signature: raw r||s for ECDSA (RFC 7518
	// §3.4), which is what WebCrypto verifies.
	Signature []byte
}

var errMalformedJWS = errors.New("not a JWS in compact serialization")

// ParseJWS decodes a compact JWS: three base64url parts without padding
// (RFC 7515 §2), a header that is a JSON object with a string alg, and no
// crit header, since no extension is understood (RFC 7515 §4.1.11).
func ParseJWS(token string) (*JWS, error) {
	if len(token) > maxJWTBytes {
		return nil, errors.New("the JWT is larger than 64 KiB")
	}
	h, rest, ok1 := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s, ".") {
		return nil, errMalformedJWS
	}
	hb, err := decodeB64URL(h)
	if err != nil {
		return nil, errors.New("the JWS header is not base64url")
	}
	pb, err := decodeB64URL(p)
	if err != nil {
		return nil, errors.New("the JWS payload is not base64url")
	}
	sb, err := decodeB64URL(s)
	if err != nil {
		return nil, errors.New("the JWS signature is not base64url")
	}
	var raw map[string]json.RawMessage
	if err := strictJSON(hb, &raw); err != nil || raw == nil {
		return nil, errors.New("the JWS header is not a JSON object")
	}
	if _, has := raw["crit"]; has {
		return nil, errors.New("the JWS header has crit extensions, which are not understood")
	}
	// Header Parameter names are case-sensitive (RFC 7515 §4): read them
	// from the object itself, since encoding/json would also match "Alg".
	var hdr JOSEHeader
	for name, dst := range map[string]*string{"alg": &hdr.Alg, "kid": &hdr.Kid, "typ": &hdr.Typ} {
		if v, has := raw[name]; has && json.Unmarshal(v, dst) != nil {
			return nil, errors.New("the JWS header's " + name + " is not a string")
		}
	}
	if hdr.Alg == "" {
		return nil, errors.New("the JWS header has no alg")
	}
	return &JWS{Header: hdr, Payload: pb, SigningInput: []byte(token[:len(h)+1+len(p)]), Signature: sb}, nil
}

// decodeB64URL decodes unpadded base64url (RFC 7515 §2) with no byte
// outside its alphabet: Go's decoder skips CR and LF even in Strict mode,
// which WebCrypto's importKey and JavaScript JWT libraries do not.
func decodeB64URL(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, errors.New("a character outside the base64url alphabet")
		}
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// strictJSON decodes exactly one JSON value, with numbers as json.Number.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// decodeClaims decodes a JWT payload as a JSON object. Numbers stay
// json.Number so that large integers are not rounded.
func decodeClaims(payload []byte) (map[string]any, error) {
	var claims map[string]any
	if err := strictJSON(payload, &claims); err != nil || claims == nil {
		return nil, errors.New("the JWT claims are not a JSON object")
	}
	return claims, nil
}

// DecodeClaimsUnverified decodes a JWT's claims WITHOUT verifying anything: not the
// signature, not the issuer, not the expiry. Use it for display only, or on
// tokens whose authenticity comes from elsewhere (an access token received
// directly from the token endpoint over TLS). Numbers stay json.Number so
// that large integers are not rounded; string claims such as SmartTask's
// "user_id" stay strings.
func DecodeClaimsUnverified(token string) (map[string]any, error) {
	j, err := ParseJWS(token)
	if err != nil {
		return nil, err
	}
	return decodeClaims(j.Payload)
}
