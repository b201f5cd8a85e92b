package oauth

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
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
	raw, err := decodeObject(hb, "the JWS header")
	if err != nil {
		return nil, err
	}
	if _, has := raw["crit"]; has {
		return nil, errors.New("the JWS header has crit extensions, which are not understood")
	}
	// Header Parameter names are case-sensitive (RFC 7515 §4): "Alg" or
	// "ALG" is another (unknown, ignored) parameter, never alg. A name
	// that appears twice was refused by decodeObject (RFC 7515 §4 allows
	// rejecting it; taking the last one could differ from another parser).
	var hdr JOSEHeader
	for name, dst := range map[string]*string{"alg": &hdr.Alg, "kid": &hdr.Kid, "typ": &hdr.Typ} {
		v, ok := jsonv.StringMember(raw, name)
		if !ok {
			return nil, errors.New("the JWS header's " + name + " is not a string")
		}
		*dst = v
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

// Number is a JSON number in decoded claims: its literal text, so that
// large integers are never rounded, with the Int64 and Float64 methods of
// encoding/json's Number.
type Number = jsonv.Number

// decodeObject decodes data as exactly one JSON object (RFC 8259) whose
// member names are all different. what names the document in errors.
func decodeObject(data []byte, what string) (map[string]any, error) {
	o, err := jsonv.DecodeObject(data)
	var dup *jsonv.DuplicateError
	if errors.As(err, &dup) {
		return nil, errors.New(what + " has the member " + strconv.Quote(dup.Name) + " more than once")
	}
	if err != nil {
		return nil, errors.New(what + " is not a JSON object")
	}
	return o, nil
}

// decodeClaims decodes a JWT payload as a JSON object. Numbers stay
// [Number] so that large integers are not rounded. A claim name that
// appears twice is refused (RFC 7519 §4 allows it; JavaScript would keep
// the last one, another parser the first).
func decodeClaims(payload []byte) (map[string]any, error) {
	return decodeObject(payload, "the JWT claims")
}

// DecodeClaimsUnverified decodes a JWT's claims WITHOUT verifying anything: not the
// signature, not the issuer, not the expiry. Use it for display only, or on
// tokens whose authenticity comes from elsewhere (an access token received
// directly from the token endpoint over TLS). Numbers stay [Number] so
// that large integers are not rounded; string claims such as SmartTask's
// "user_id" stay strings.
func DecodeClaimsUnverified(token string) (map[string]any, error) {
	j, err := ParseJWS(token)
	if err != nil {
		return nil, err
	}
	return decodeClaims(j.Payload)
}
