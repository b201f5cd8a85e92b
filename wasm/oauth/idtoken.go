package oauth

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
)

// DefaultClockLeeway is the clock skew tolerated on exp, nbf and iat.
const DefaultClockLeeway = 5 * time.Minute

// The checks an ID token goes through, in order. A refusal names the check
// that failed in [IDTokenError.Check], and reaches JavaScript as
// error.check with the code invalid_id_token.
const (
	// CheckPresent: the code exchange asked for openid and got no ID token.
	CheckPresent = "present"
	// CheckFormat: not a compact JWS with a JSON object as payload.
	CheckFormat = "format"
	// CheckAlg: alg is none, HS*, not allowed, or not supported by the
	// platform's crypto (RFC 8725 §3.1, OpenID Connect Core §3.1.3.7 7).
	CheckAlg = "alg"
	// CheckIss: iss is not exactly the issuer (§3.1.3.7 2).
	CheckIss = "iss"
	// CheckAud: aud does not contain the client id (§3.1.3.7 3); on refresh,
	// aud changed (§12.2).
	CheckAud = "aud"
	// CheckAzp: several audiences and no azp, or an azp that is not the
	// client id (§3.1.3.7 4 and 5); on refresh, azp changed (§12.2).
	CheckAzp = "azp"
	// CheckExp: exp missing or past, beyond the leeway (§3.1.3.7 9).
	CheckExp = "exp"
	// CheckNbf: nbf present and still in the future beyond the leeway.
	CheckNbf = "nbf"
	// CheckIat: iat missing, or in the future beyond the leeway (§3.1.3.7 10).
	CheckIat = "iat"
	// CheckSub: sub missing or empty (§2); on refresh, sub changed (§12.2).
	CheckSub = "sub"
	// CheckNonce: nonce differs from the login's (§3.1.3.7 11); on refresh,
	// a nonce that differs from the original ID token's (§12.2).
	CheckNonce = "nonce"
	// CheckAuthTime: the login sent max_age and auth_time is missing, not
	// a number, or older than max_age beyond the leeway (§3.1.3.7 item
	// 13); on refresh, auth_time changed (§12.2).
	CheckAuthTime = "auth_time"
	// CheckACR: the login asked for acr_values as essential and acr is
	// missing or not one of them (§3.1.3.7 item 12, §5.5.1.1).
	CheckACR = "acr"
	// CheckKid: no key of the provider's key set fits the header, even after
	// one refetch, or several fit and there is no kid (§10.1).
	CheckKid = "kid"
	// CheckSignature: the signature does not verify (§3.1.3.7 6).
	CheckSignature = "signature"
)

// IDTokenError says which check an ID token failed. It is wrapped in an
// [*Error] with the code invalid_id_token.
type IDTokenError struct {
	Check  string
	Reason string
}

func (e *IDTokenError) Error() string { return "ID token check " + e.Check + " failed: " + e.Reason }

// idTokenError returns the invalid_id_token *Error for a failed check.
func idTokenError(check, reason string) *Error {
	return &Error{Code: CodeInvalidIDToken, msg: "the ID token was refused", err: &IDTokenError{Check: check, Reason: reason}}
}

// FailedCheck returns the ID token check that err names, or "".
func FailedCheck(err error) string {
	var e *IDTokenError
	if errors.As(err, &e) {
		return e.Check
	}
	return ""
}

// Errors a [SignatureVerifier] returns.
var (
	// ErrInvalidSignature: the signature does not verify.
	ErrInvalidSignature = errors.New("the signature does not verify")
	// ErrUnsupportedAlgorithm: the platform cannot verify this algorithm
	// (a browser without Ed25519 in WebCrypto, for example).
	ErrUnsupportedAlgorithm = errors.New("the algorithm is not supported by this platform's crypto")
)

// SignatureVerifier checks a JWS signature (RFC 7515 §5.2) over
// signingInput with a public key from the provider's key set. It is
// injected like [Transport]: the browser binding uses WebCrypto
// (crypto.subtle.importKey("jwk") and verify); native programs use
// [github.com/gopkce/gopkce/wasm/oauth/oauthjwt], built on
// golang-jwt/jwt/v5. The core itself links no signature code.
//
// It returns nil only for a valid signature. The key has passed
// [ParseKeySet] and [JWK.Fits] alg, which is one of [SupportedAlgorithms].
type SignatureVerifier interface {
	VerifySignature(ctx context.Context, alg string, key *JWK, signingInput, signature []byte) error
}

// KeySource gives the provider's key set. With refresh it fetches it again
// (an unknown kid: the provider may have rotated its keys), unless it did so
// too recently, in which case it returns what it has.
type KeySource interface {
	KeySet(ctx context.Context, refresh bool) (*KeySet, error)
}

// StaticKeys is a [KeySource] with a fixed key set, for tests and for
// programs that pin the provider's keys.
type StaticKeys struct{ Set *KeySet }

// KeySet returns s.Set.
func (s StaticKeys) KeySet(context.Context, bool) (*KeySet, error) { return s.Set, nil }

// IDTokenVerifier verifies ID tokens for one client of one issuer
// (OpenID Connect Core §3.1.3.7 and §12.2). Cheap checks run first and the
// signature last, as in coreos/go-oidc, so a token with a bad claim never
// costs a key-set fetch.
type IDTokenVerifier struct {
	Issuer   string
	ClientID string
	// Algorithms allowed; nil means [SupportedAlgorithms]. Entries outside
	// SupportedAlgorithms ("none", "HS256") never take effect.
	Algorithms []string
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway     time.Duration
	Keys       KeySource
	Signatures SignatureVerifier
	Now        func() time.Time
}

// IDTokenExpect is what a particular ID token must match besides the
// verifier's issuer and client.
type IDTokenExpect struct {
	// Nonce is the login's nonce (§3.1.3.7 11); "" when none was sent.
	Nonce string
	// Previous holds the claims of the session's current ID token when
	// verifying one returned by a refresh (§12.2); nil at login.
	Previous map[string]any
	// MaxAge is the login's max_age in seconds, nil when it sent none.
	MaxAge *int64
	// ACR lists the acr values the login asked for as essential.
	ACR []string
}

// Verify checks raw and returns its claims. Every refusal is an *Error
// with the code invalid_id_token wrapping an [*IDTokenError] that names the
// check; a failure to fetch the key set keeps its own code (network_error).
func (v *IDTokenVerifier) Verify(ctx context.Context, raw string, want IDTokenExpect) (map[string]any, error) {
	jws, err := ParseJWS(raw)
	if err != nil {
		return nil, idTokenError(CheckFormat, err.Error())
	}
	claims, err := decodeClaims(jws.Payload)
	if err != nil {
		return nil, idTokenError(CheckFormat, err.Error())
	}
	if err := v.checkAlg(jws.Header.Alg); err != nil {
		return nil, err
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	if err := v.CheckClaims(claims, want, now); err != nil {
		return nil, err
	}
	if err := v.checkSignature(ctx, jws); err != nil {
		return nil, err
	}
	return claims, nil
}

func (v *IDTokenVerifier) checkAlg(alg string) error {
	switch {
	case alg == "none" || strings.EqualFold(alg, "none"):
		return idTokenError(CheckAlg, `alg "none" is never accepted`)
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return idTokenError(CheckAlg, "HMAC algorithms ("+alg+") are never accepted: a public client has no shared secret")
	case !slices.Contains(SupportedAlgorithms, alg):
		return idTokenError(CheckAlg, "alg "+strconv.Quote(alg)+" is not supported")
	case v.Algorithms != nil && !slices.Contains(v.Algorithms, alg):
		return idTokenError(CheckAlg, "alg "+strconv.Quote(alg)+" is not among the provider's ID token algorithms")
	}
	return nil
}

// CheckClaims runs the claim checks of OpenID Connect Core §3.1.3.7 (and
// §12.2 when want.Previous is set) at time now, without the signature.
func (v *IDTokenVerifier) CheckClaims(c map[string]any, want IDTokenExpect, now time.Time) error {
	if err := checkTokenIssuer(c, v.Issuer); err != nil {
		return err
	}
	aud, ok := audiences(c["aud"])
	if !ok || !slices.Contains(aud, v.ClientID) {
		return idTokenError(CheckAud, "aud does not contain the client id")
	}
	azp, hasAzp := c["azp"]
	if hasAzp {
		if s, ok := azp.(string); !ok || s != v.ClientID {
			return idTokenError(CheckAzp, "azp is not the client id")
		}
	} else if len(aud) > 1 {
		return idTokenError(CheckAzp, "several audiences and no azp")
	}
	exp, ok := numericDate(c["exp"])
	if !ok {
		return idTokenError(CheckExp, "exp is missing or not a number")
	}
	if !now.Before(exp.Add(v.Leeway)) {
		return idTokenError(CheckExp, "the ID token expired "+strconv.FormatInt(int64(now.Sub(exp).Seconds()), 10)+" s ago")
	}
	if raw, has := c["nbf"]; has {
		nbf, ok := numericDate(raw)
		if !ok {
			return idTokenError(CheckNbf, "nbf is not a number")
		}
		if now.Add(v.Leeway).Before(nbf) {
			return idTokenError(CheckNbf, "the ID token is not valid for another "+strconv.FormatInt(int64(nbf.Sub(now).Seconds()), 10)+" s")
		}
	}
	iat, ok := numericDate(c["iat"])
	if !ok {
		return idTokenError(CheckIat, "iat is missing or not a number")
	}
	if now.Add(v.Leeway).Before(iat) {
		return idTokenError(CheckIat, "iat is in the future")
	}
	sub, ok := c["sub"].(string)
	if !ok || sub == "" {
		return idTokenError(CheckSub, "sub is missing or empty")
	}
	nonce, hasNonce := c["nonce"]
	if prev := want.Previous; prev != nil {
		// §12.2: iss (checked above against the issuer), sub and aud stay
		// the same; nonce, when present, is the original one; auth_time,
		// when present, is unchanged; azp stays the same.
		if prevSub, _ := prev["sub"].(string); sub != prevSub {
			return idTokenError(CheckSub, "the refreshed ID token names another subject (§12.2)")
		}
		if pa, _ := audiences(prev["aud"]); !sameSet(aud, pa) {
			return idTokenError(CheckAud, "the refreshed ID token has another aud (§12.2)")
		}
		if !sameJSON(azp, prev["azp"]) {
			return idTokenError(CheckAzp, "the refreshed ID token has another azp (§12.2)")
		}
		if hasNonce && !sameJSON(nonce, prev["nonce"]) {
			return idTokenError(CheckNonce, "the refreshed ID token carries a nonce that is not the original one (§12.2)")
		}
		if at, has := c["auth_time"]; has {
			if pat, had := prev["auth_time"]; had && !sameJSON(at, pat) {
				return idTokenError(CheckAuthTime, "the refreshed ID token has another auth_time (§12.2)")
			}
		}
	} else if want.Nonce != "" {
		if s, ok := nonce.(string); !ok || s != want.Nonce {
			return idTokenError(CheckNonce, "nonce is not the one sent with the login")
		}
	}
	return v.checkAuthentication(c, want, now)
}

// checkAuthentication checks what the login asked of the user's
// authentication: auth_time within max_age (§3.1.2.1, §3.1.3.7 item 13)
// and an essential acr (§5.5.1.1).
func (v *IDTokenVerifier) checkAuthentication(c map[string]any, want IDTokenExpect, now time.Time) error {
	if want.MaxAge != nil {
		at, ok := numericDate(c["auth_time"])
		if !ok {
			return idTokenError(CheckAuthTime, "the login sent max_age and auth_time is missing or not a number")
		}
		if age := now.Sub(at); age > time.Duration(*want.MaxAge)*time.Second+v.Leeway {
			return idTokenError(CheckAuthTime, "the user authenticated "+strconv.FormatInt(int64(age.Seconds()), 10)+" s ago, more than max_age "+strconv.FormatInt(*want.MaxAge, 10)+" s")
		}
		if now.Add(v.Leeway).Before(at) {
			return idTokenError(CheckAuthTime, "auth_time is in the future")
		}
	}
	if len(want.ACR) > 0 {
		if acr, _ := c["acr"].(string); !slices.Contains(want.ACR, acr) {
			return idTokenError(CheckACR, "acr is not one of the essential acr_values "+strconv.Quote(strings.Join(want.ACR, " ")))
		}
	}
	return nil
}

// checkSignature selects the key (refetching the set once for an unknown
// kid) and verifies the signature.
func (v *IDTokenVerifier) checkSignature(ctx context.Context, jws *JWS) error {
	if v.Keys == nil || v.Signatures == nil {
		return idTokenError(CheckSignature, "no key set or signature verifier is configured")
	}
	alg, kid := jws.Header.Alg, jws.Header.Kid
	var key *JWK
	for _, refresh := range []bool{false, true} {
		ks, err := v.Keys.KeySet(ctx, refresh)
		if err != nil {
			return err
		}
		if ks == nil {
			ks = &KeySet{} // a KeySource without a set (StaticKeys{}): no key
		}
		if key, err = ks.selectKey(alg, kid); err != nil {
			return idTokenError(CheckKid, err.Error())
		}
		if key != nil {
			break
		}
	}
	if key == nil {
		if kid == "" {
			return idTokenError(CheckKid, "no key of the provider's key set fits alg "+alg)
		}
		return idTokenError(CheckKid, "no key of the provider's key set has kid "+strconv.Quote(kid)+" and fits alg "+alg)
	}
	if err := v.Signatures.VerifySignature(ctx, alg, key, jws.SigningInput, jws.Signature); err != nil {
		if errors.Is(err, ErrUnsupportedAlgorithm) {
			return idTokenError(CheckAlg, "this browser cannot verify "+alg)
		}
		return idTokenError(CheckSignature, "the signature does not verify with the provider's key")
	}
	return nil
}

// audiences reads aud: a string or an array of strings (RFC 7519 §4.1.3).
func audiences(v any) ([]string, bool) {
	switch a := v.(type) {
	case string:
		return []string{a}, true
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	return nil, false
}

// numericDate reads a NumericDate (RFC 7519 §2): seconds, maybe fractional.
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(Number)
	if !ok {
		return time.Time{}, false
	}
	sec, nsec, ok := n.Seconds()
	if !ok || sec > 1e11 || sec < -1e11 || (sec == 1e11 || sec == -1e11) && nsec != 0 {
		return time.Time{}, false
	}
	return time.Unix(sec, nsec), true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !slices.Contains(b, a[i]) || !slices.Contains(a, b[i]) {
			return false
		}
	}
	return true
}

// sameJSON compares two decoded claim values (strings, numbers as their
// literal text, arrays, objects, nil) by their JSON encoding.
func sameJSON(a, b any) bool {
	x, err1 := jsonv.Marshal(a)
	y, err2 := jsonv.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
