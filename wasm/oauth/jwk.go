package oauth

import (
	"errors"
	"math/bits"
	"slices"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
)

// Signature algorithms gopkce verifies ID tokens with (RFC 7518 §3.1,
// RFC 8037 §3.1). "none" and every HS* algorithm are refused always: an
// HMAC "signed" with the provider's public key is the classic
// algorithm-confusion attack, and a public client has no shared secret.
var SupportedAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"}

// algKey says which key an algorithm needs: its kty and, for EC and OKP,
// its crv (RFC 7518 §3.4 ties ES256 to P-256; RFC 8037 §3.1 EdDSA to
// Ed25519 here).
var algKey = map[string]struct{ kty, crv string }{
	"RS256": {"RSA", ""}, "RS384": {"RSA", ""}, "RS512": {"RSA", ""},
	"PS256": {"RSA", ""}, "PS384": {"RSA", ""}, "PS512": {"RSA", ""},
	"ES256": {"EC", "P-256"}, "ES384": {"EC", "P-384"},
	"EdDSA": {"OKP", "Ed25519"},
}

// coordBytes is the length of an EC or OKP coordinate per curve.
var coordBytes = map[string]int{"P-256": 32, "P-384": 48, "Ed25519": 32}

// minRSABits: RFC 7518 §3.3 requires keys of 2048 bits or more.
const minRSABits = 2048

// JWK is one public signature key of a JSON Web Key Set (RFC 7517 §4), with
// the members WebCrypto's importKey("jwk") and Go's crypto need. Only keys
// that passed [ParseKeySet] are usable: their members are well formed.
type JWK struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use,omitempty"`
	KeyOps []string `json:"key_ops,omitempty"`
	Alg    string   `json:"alg,omitempty"`
	Kid    string   `json:"kid,omitempty"`
	// RSA (RFC 7518 §6.3.1).
	N string `json:"n,omitempty"`
	E string `json:"e,omitempty"`
	// EC (RFC 7518 §6.2.1) and OKP (RFC 8037 §2).
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// KeySet is the usable part of a provider's JWK Set.
type KeySet struct {
	Keys []JWK `json:"keys"`
	// Ignored counts the keys left out: use "enc", an unknown kty or crv,
	// private members, malformed or too-short keys.
	Ignored int `json:"-"`
}

// ParseKeySet decodes a JWK Set (RFC 7517 §5). The document must be a JSON
// object with a "keys" array; keys that cannot verify signatures here are
// ignored, not fatal (RFC 7517 §5: "implementations SHOULD ignore JWKs
// within a JWK Set that use kty values that are not understood"): keys for
// encryption (use "enc", or key_ops without "verify"), unknown kty or crv,
// keys carrying private members, malformed members, RSA under 2048 bits.
//
// Member names are case-sensitive (RFC 7517 §4): "USE" or "Alg" is an
// unknown member, ignored, never use or alg. A member name twice, in the
// set or in any key, refuses the whole document (RFC 7517 §4 and §5: reject
// or take the last; rejecting leaves no room for two parsers to disagree).
func ParseKeySet(data []byte) (*KeySet, error) {
	doc, err := decodeObject(data, "the key set")
	if err != nil {
		return nil, err
	}
	keys, ok := doc["keys"].([]any)
	if !ok {
		return nil, errors.New("the key set is not a JSON object with a keys array")
	}
	ks := &KeySet{}
	for _, raw := range keys {
		k, ok := parseJWK(raw)
		if !ok {
			ks.Ignored++
			continue
		}
		ks.Keys = append(ks.Keys, k)
	}
	return ks, nil
}

// jwkPrivate are the members only a private or symmetric key has: d (RSA,
// EC, OKP), p, q, dp (RSA), k (oct).
var jwkPrivate = []string{"d", "p", "k", "q", "dp"}

func parseJWK(raw any) (JWK, bool) {
	var k JWK
	o, ok := raw.(map[string]any)
	if !ok {
		return k, false
	}
	f := jsonv.Fields{Object: o}
	k = JWK{Kty: f.String("kty"), Use: f.String("use"), KeyOps: f.Strings("key_ops"), Alg: f.String("alg"), Kid: f.String("kid"),
		N: f.String("n"), E: f.String("e"), Crv: f.String("crv"), X: f.String("x"), Y: f.String("y")}
	if f.Bad != "" {
		return k, false
	}
	for _, name := range jwkPrivate {
		if o[name] != nil {
			return k, false // a private or symmetric key has no business here
		}
	}
	if k.Use != "" && k.Use != "sig" {
		return k, false
	}
	if k.KeyOps != nil && !slices.Contains(k.KeyOps, "verify") {
		return k, false
	}
	if k.Alg != "" {
		if _, known := algKey[k.Alg]; !known {
			return k, false // RSA-OAEP, HS256, none...: not for verifying here
		}
	}
	switch k.Kty {
	case "RSA":
		n, err1 := decodeB64URL(k.N)
		e, err2 := decodeB64URL(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return k, false
		}
		if bitLen(n) < minRSABits {
			return k, false
		}
		k.Crv, k.X, k.Y = "", "", ""
	case "EC", "OKP":
		size, known := coordBytes[k.Crv]
		if !known || (k.Kty == "EC") == (k.Crv == "Ed25519") {
			return k, false
		}
		x, err := decodeB64URL(k.X)
		if err != nil || len(x) != size {
			return k, false
		}
		if k.Kty == "EC" {
			y, err := decodeB64URL(k.Y)
			if err != nil || len(y) != size {
				return k, false
			}
		} else if k.Y != "" {
			return k, false
		}
		k.N, k.E = "", ""
	default:
		return k, false
	}
	return k, true
}

// Fits reports whether k may verify a signature made with alg: the kty and
// crv the algorithm needs, and the key's own alg when it names one
// (RFC 7517 §4.4).
func (k *JWK) Fits(alg string) bool {
	need, ok := algKey[alg]
	if !ok || k.Kty != need.kty || (need.crv != "" && k.Crv != need.crv) {
		return false
	}
	return k.Alg == "" || k.Alg == alg
}

// errKeyAmbiguous: no kid and several keys fit.
var errKeyAmbiguous = errors.New("the ID token has no kid and several keys of the set fit its alg")

// selectKey chooses the key for a JWS header (OpenID Connect Core §10.1:
// "the kid value MUST be provided when there are multiple keys").
//
//   - With a kid: the key with that kid, if it fits alg.
//   - Without a kid: the one key that fits alg. When several fit, the token
//     is refused rather than tried against each key in turn (the rule of
//     oauth4webapi; OpenID Connect Core §10.1 makes kid mandatory then).
//
// It returns nil, nil when no key matches: the caller may refetch the set
// (the provider may have rotated its keys).
func (ks *KeySet) selectKey(alg, kid string) (*JWK, error) {
	var found *JWK
	for i := range ks.Keys {
		k := &ks.Keys[i]
		if !k.Fits(alg) || (kid != "" && k.Kid != kid) {
			continue
		}
		if found != nil {
			if kid == "" {
				return nil, errKeyAmbiguous
			}
			return nil, errors.New("the key set has several keys with the ID token's kid")
		}
		found = k
	}
	return found, nil
}

// bitLen is the length in bits of a big-endian unsigned integer.
func bitLen(b []byte) int {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0
	}
	return (len(b)-1)*8 + bits.Len8(b[0])
}
