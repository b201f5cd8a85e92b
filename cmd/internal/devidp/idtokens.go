package devidp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// IDTokenCase is one row of the ID-token case table, modelled on the
// OpenID Foundation's relying-party certification tests (rp-id_token-*,
// rp-key-rotation-*, rp-discovery-*). The provider plays it when told to
// with [Server.SetIDTokenCase]; a client must accept or refuse as Want
// says. The native suite (core and golang-jwt) and the browser suite (core
// and WebCrypto) run the same table.
type IDTokenCase struct {
	Name string
	// Refresh: the case plays on a refresh after a normal login.
	Refresh bool
	// WantCode is "" when the client must accept, otherwise the error code:
	// invalid_id_token (WantCheck is the [oauth.IDTokenError] check) or
	// invalid_discovery (WantCheck is the error's Field).
	WantCode, WantCheck string
	// Doc says what the provider does.
	Doc string
}

// IDTokenCases is the case table.
var IDTokenCases = []IDTokenCase{
	{Name: "valid_rs256", Doc: "a valid ID token signed RS256"},
	{Name: "valid_es256", Doc: "a valid ID token signed ES256 with a P-256 key published beside the RSA one"},
	{Name: "bad_signature", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckSignature, Doc: "one bit of the RS256 signature flipped"},
	{Name: "alg_none", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckAlg, Doc: `alg "none" and an empty signature`},
	{Name: "hs256_public_key", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckAlg, Doc: "HS256 keyed with the PEM of the RSA public key (algorithm confusion)"},
	{Name: "issuer_mismatch", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckIss, Doc: "iss names another issuer"},
	{Name: "audience_mismatch", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckAud, Doc: "aud is another client"},
	{Name: "multi_aud_no_azp", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckAzp, Doc: "aud lists the client and another, without azp"},
	{Name: "wrong_azp", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckAzp, Doc: "aud lists the client and another, azp is the other"},
	{Name: "expired", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckExp, Doc: "exp two hours past"},
	{Name: "iat_missing", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckIat, Doc: "no iat"},
	{Name: "sub_missing", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckSub, Doc: "no sub"},
	{Name: "nonce_mismatch", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckNonce, Doc: "a nonce that is not the login's"},
	{Name: "no_kid_one_key", Doc: "no kid in the header, one key in the set: it is used"},
	{Name: "no_kid_several_keys", WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckKid, Doc: "no kid, two RSA keys in the set: refused rather than tried in turn"},
	{Name: "unknown_kid_rotation", Doc: "keys rotated between the login's start and the code exchange: the new kid is unknown to the cached set, which is fetched once more"},
	{Name: "unsupported_key_in_set", Doc: "the set also has, under the signing key's kid, a key with use enc, an RSA-OAEP key, and a key of an unknown kty: all ignored"},
	{Name: "discovery_issuer_mismatch", WantCode: oauth.CodeInvalidDiscovery, WantCheck: "issuer", Doc: "the discovery document names another issuer: refused before any redirect"},
	{Name: "refresh_valid", Refresh: true, Doc: "a refresh returns a valid ID token for the same subject"},
	{Name: "refresh_changed_aud", Refresh: true, WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckAud, Doc: "a refresh returns an ID token whose aud gained another client (azp is the client)"},
	{Name: "refresh_changed_sub", Refresh: true, WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckSub, Doc: "a refresh returns an ID token for another subject"},
	{Name: "refresh_forged_nonce", Refresh: true, WantCode: oauth.CodeInvalidIDToken, WantCheck: oauth.CheckNonce, Doc: "a refresh returns an ID token with a nonce that is not the original one"},
}

// AnotherIssuer is the issuer the mismatch cases name.
const AnotherIssuer = "https://attacker.example"

// AnotherClient is the audience the aud and azp cases add.
const AnotherClient = "another-client"

// idKeys are the ID-token signing keys. Access tokens keep the provider's
// first key (s.key), which /api/me and revocation verify with; ID tokens
// use rsa (rotated on demand), ec for ES256, and spare only appears in the
// set for no_kid_several_keys.
type idKeys struct {
	rsa      *rsa.PrivateKey
	rsaKid   string
	spare    *rsa.PrivateKey
	ec       *ecdsa.PrivateKey
	ecKid    string
	idCase   string
	jwksHits int
	docHits  int
}

func (s *Server) initIDKeys() error {
	spare, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	s.ids = idKeys{rsa: s.key, rsaKid: s.kid, spare: spare, ec: ec, ecKid: "ec-" + randomID(6)}
	return nil
}

// SetIDTokenCase makes the provider play a case of [IDTokenCases] from now
// on ("" or "valid_rs256": behave).
func (s *Server) SetIDTokenCase(name string) error {
	if name != "" && findCase(name) == nil {
		return fmt.Errorf("devidp: unknown ID token case %q", name)
	}
	s.mu.Lock()
	s.ids.idCase = name
	s.mu.Unlock()
	return nil
}

func findCase(name string) *IDTokenCase {
	for i := range IDTokenCases {
		if IDTokenCases[i].Name == name {
			return &IDTokenCases[i]
		}
	}
	return nil
}

// RotateKeys replaces the RSA key that signs ID tokens with a new one under
// a new kid; the old one leaves the key set.
func (s *Server) RotateKeys() {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	s.rotateLocked(k)
	s.mu.Unlock()
}

func (s *Server) rotateLocked(k *rsa.PrivateKey) {
	s.ids.rsa, s.ids.rsaKid = k, "rsa-"+randomID(6)
}

// KeySetRequests and DiscoveryRequests count GETs of the key set and of
// the discovery document.
func (s *Server) KeySetRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids.jwksHits
}

// DiscoveryRequests: see [Server.KeySetRequests].
func (s *Server) DiscoveryRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids.docHits
}

// signIDTokenLocked signs an ID token, playing the current case when it
// is one for this grant (a login case at the exchange, a refresh case on
// refresh). It runs with s.mu held.
func (s *Server) signIDTokenLocked(id jwt.MapClaims, client string, refresh bool) string {
	name := s.ids.idCase
	if c := findCase(name); c == nil || c.Refresh != refresh {
		name = ""
	}
	now := s.now()
	method, key, kid := jwt.SigningMethod(jwt.SigningMethodRS256), any(s.ids.rsa), s.ids.rsaKid
	switch name {
	case "valid_es256":
		method, key, kid = jwt.SigningMethodES256, s.ids.ec, s.ids.ecKid
	case "alg_none":
		method, key = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
	case "hs256_public_key":
		der, err := x509.MarshalPKIXPublicKey(&s.ids.rsa.PublicKey)
		if err != nil {
			panic(err)
		}
		method, key = jwt.SigningMethodHS256, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	case "issuer_mismatch":
		id["iss"] = AnotherIssuer
	case "audience_mismatch":
		id["aud"] = AnotherClient
	case "multi_aud_no_azp":
		id["aud"] = []string{client, AnotherClient}
	case "wrong_azp":
		id["aud"], id["azp"] = []string{client, AnotherClient}, AnotherClient
	case "expired":
		id["exp"], id["iat"] = now.Add(-2*3600e9).Unix(), now.Add(-3*3600e9).Unix()
	case "iat_missing":
		delete(id, "iat")
	case "sub_missing":
		delete(id, "sub")
	case "nonce_mismatch":
		id["nonce"] = "not-the-login-nonce-" + randomID(6)
	case "no_kid_one_key", "no_kid_several_keys":
		kid = ""
	case "unknown_kid_rotation":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		s.rotateLocked(k)
		key, kid = s.ids.rsa, s.ids.rsaKid
	case "refresh_changed_aud":
		id["aud"], id["azp"] = []string{client, AnotherClient}, client
	case "refresh_changed_sub":
		id["sub"] = "someone-else"
	case "refresh_forged_nonce":
		id["nonce"] = "forged-" + randomID(6)
	}
	t := jwt.NewWithClaims(method, id)
	if kid != "" {
		t.Header["kid"] = kid
	} else {
		delete(t.Header, "kid")
	}
	out, err := t.SignedString(key)
	if err != nil {
		panic(err)
	}
	if name == "bad_signature" {
		i := strings.LastIndexByte(out, '.')
		sig, _ := base64.RawURLEncoding.DecodeString(out[i+1:])
		sig[len(sig)/2] ^= 0x01
		out = out[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
	}
	return out
}

// discoveryIssuerLocked is the issuer the discovery document names.
func (s *Server) discoveryIssuerLocked() string {
	s.ids.docHits++
	if s.ids.idCase == "discovery_issuer_mismatch" {
		return AnotherIssuer
	}
	return s.issuer
}

func rsaJWK(k *rsa.PublicKey, kid string) map[string]string {
	return map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()), "e": big64(int64(k.E))}
}

// jwks: GET /.well-known/jwks.json, the key set (RFC 7517 §5), with CORS.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	s.cors(w, r)
	s.mu.Lock()
	s.ids.jwksHits++
	keys := []map[string]string{rsaJWK(&s.ids.rsa.PublicKey, s.ids.rsaKid)}
	switch s.ids.idCase {
	case "valid_es256":
		var x, y [32]byte
		s.ids.ec.PublicKey.X.FillBytes(x[:])
		s.ids.ec.PublicKey.Y.FillBytes(y[:])
		keys = append(keys, map[string]string{"kty": "EC", "use": "sig", "alg": "ES256", "kid": s.ids.ecKid, "crv": "P-256",
			"x": base64.RawURLEncoding.EncodeToString(x[:]), "y": base64.RawURLEncoding.EncodeToString(y[:])})
	case "no_kid_several_keys":
		keys = append(keys, rsaJWK(&s.ids.spare.PublicKey, "spare-"+s.ids.rsaKid))
	case "unsupported_key_in_set":
		enc := rsaJWK(&s.ids.rsa.PublicKey, s.ids.rsaKid)
		enc["use"] = "enc"
		delete(enc, "alg") // only its use says it is not for signatures
		oaep := rsaJWK(&s.ids.spare.PublicKey, s.ids.rsaKid)
		delete(oaep, "use")
		oaep["alg"] = "RSA-OAEP-256"
		unknown := map[string]string{"kty": "PQC", "kid": s.ids.rsaKid, "pub": "AAAA"}
		keys = append([]map[string]string{enc, oaep, unknown}, keys...)
	}
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"keys": keys})
}
