package devidp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DPoP (RFC 9449) in the development provider: with Options.DPoP, a token
// request that carries a proof gets tokens bound to its key (cnf.jkt,
// token_type DPoP), a bound refresh token is refused without a proof of the
// same key, and /api/me wants "Authorization: DPoP" with a proof for a
// bound token. With Options.DPoPNonce every proof must carry the server's
// current nonce (RFC 9449 §8).

// dpopIATWindow is how far a proof's iat may be from the server's clock.
const dpopIATWindow = 60 * time.Second

// dpopState is the provider's DPoP state, under Server.mu.
type dpopState struct {
	on, requireNonce bool
	nonce            string
	prevNonce        string               // still accepted after NextDPoPNonce
	jtis             map[string]time.Time // jti -> iat, for replay
	proofs           []string             // every jti accepted, in order (tests)
	seen             []string             // every jti of a well-signed proof, accepted or not (tests)
	nonces           []string             // the nonce of every accepted proof, in order (tests)
	useNonceAnswers  int
	clockOffset      time.Duration // added to the clock DPoP checks and their Date headers use
}

// proofError is a refused proof: code is invalid_dpop_proof or
// use_dpop_nonce.
type proofError struct{ code, desc string }

func (e *proofError) Error() string { return e.code + ": " + e.desc }

// EnableDPoP turns DPoP on or off, and the nonce requirement.
func (s *Server) EnableDPoP(on, requireNonce bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dpop.on, s.dpop.requireNonce = on, requireNonce
	if s.dpop.nonce == "" {
		s.dpop.nonce = randomID(16)
	}
}

// RotateDPoPNonce replaces the server's nonce; proofs with the old one are
// answered use_dpop_nonce.
func (s *Server) RotateDPoPNonce() {
	s.mu.Lock()
	s.dpop.nonce = randomID(16)
	s.mu.Unlock()
}

// NextDPoPNonce makes a new nonce the current one, sent on every response
// from now on, and keeps accepting the previous one: a server announcing
// its next nonce on successful responses before it retires the old one
// (RFC 9449 §8.2).
func (s *Server) NextDPoPNonce() {
	s.mu.Lock()
	s.dpop.prevNonce, s.dpop.nonce = s.dpop.nonce, randomID(16)
	s.mu.Unlock()
}

// DPoPNonce returns the server's current nonce.
func (s *Server) DPoPNonce() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dpop.nonce
}

// DPoPProofNonces returns the nonce of every proof accepted so far, in
// order ("" for a proof without one).
func (s *Server) DPoPProofNonces() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dpop.nonces...)
}

// DPoPJTIs returns the jti of every well-signed proof received so far,
// accepted or refused, in order: a jti sent twice appears twice.
func (s *Server) DPoPJTIs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dpop.seen...)
}

// SetDPoPClockOffset sets the clock the DPoP checks judge a proof's iat
// by, and the Date header of a refused proof, to the real clock plus d: a
// server whose clock differs from the device's (RFC 9449 §11.1).
func (s *Server) SetDPoPClockOffset(d time.Duration) {
	s.mu.Lock()
	s.dpop.clockOffset = d
	s.mu.Unlock()
}

// dpopNow is the clock of the DPoP checks.
func (s *Server) dpopNow() time.Time {
	s.mu.Lock()
	d := s.dpop.clockOffset
	s.mu.Unlock()
	return s.now().Add(d)
}

// DPoPProofs returns the jti of every proof accepted so far.
func (s *Server) DPoPProofs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dpop.proofs...)
}

// UseDPoPNonceAnswers returns how many requests were answered use_dpop_nonce.
func (s *Server) UseDPoPNonceAnswers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dpop.useNonceAnswers
}

// dpopOn reports whether the provider does DPoP.
func (s *Server) dpopOn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dpop.on
}

// checkProof verifies the request's DPoP proof (RFC 9449 §4.3) for method
// and htu (the endpoint's URL, without query) and, when accessToken is
// set, its ath. It returns the key's thumbprint, or "" without error when
// the request carries no proof.
func (s *Server) checkProof(r *http.Request, htu, accessToken string) (string, error) {
	vals := r.Header.Values("DPoP")
	if len(vals) == 0 {
		return "", nil
	}
	bad := func(desc string) error { return &proofError{"invalid_dpop_proof", desc} }
	if len(vals) > 1 {
		return "", bad("more than one DPoP header")
	}
	var jwk map[string]any
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"})).ParseWithClaims(vals[0], claims, func(t *jwt.Token) (any, error) {
		if t.Header["typ"] != "dpop+jwt" {
			return nil, errors.New("typ is not dpop+jwt")
		}
		jwk, _ = t.Header["jwk"].(map[string]any)
		return publicKey(jwk)
	})
	if err != nil {
		return "", bad("the proof is refused: " + err.Error())
	}
	jti, _ := claims["jti"].(string)
	htm, _ := claims["htm"].(string)
	gotHTU, _ := claims["htu"].(string)
	iatF, _ := claims["iat"].(float64)
	iat := time.Unix(int64(iatF), 0)
	now := s.dpopNow()
	s.mu.Lock()
	s.dpop.seen = append(s.dpop.seen, jti)
	s.mu.Unlock()
	switch {
	case jti == "":
		return "", bad("no jti")
	case htm != r.Method:
		return "", bad("htm is not the request's method")
	case gotHTU != htu:
		return "", bad("htu is not the request's URL")
	case iatF == 0 || iat.Before(now.Add(-dpopIATWindow)) || iat.After(now.Add(dpopIATWindow)):
		return "", bad("iat is not within a minute of the server's clock")
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		if ath, _ := claims["ath"].(string); ath != base64.RawURLEncoding.EncodeToString(sum[:]) {
			return "", bad("ath is not the access token's hash")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := claims["nonce"].(string)
	if s.dpop.requireNonce && n != s.dpop.nonce && (n == "" || n != s.dpop.prevNonce) {
		s.dpop.useNonceAnswers++
		return "", &proofError{"use_dpop_nonce", "the proof must carry the server's current nonce"}
	}
	for k, t := range s.dpop.jtis {
		if now.Sub(t) > 2*dpopIATWindow {
			delete(s.dpop.jtis, k)
		}
	}
	if _, seen := s.dpop.jtis[jti]; seen {
		return "", bad("jti was used before")
	}
	s.dpop.jtis[jti] = iat
	s.dpop.proofs = append(s.dpop.proofs, jti)
	s.dpop.nonces = append(s.dpop.nonces, n)
	return thumbprint(jwk), nil
}

// publicKey reads an EC P-256 public JWK (RFC 7518 §6.2.1) with no
// private member.
func publicKey(jwk map[string]any) (*ecdsa.PublicKey, error) {
	if jwk["kty"] != "EC" || jwk["crv"] != "P-256" || jwk["d"] != nil {
		return nil, errors.New("jwk is not a public EC P-256 key")
	}
	xs, _ := jwk["x"].(string)
	ys, _ := jwk["y"].(string)
	x, err1 := base64.RawURLEncoding.DecodeString(xs)
	y, err2 := base64.RawURLEncoding.DecodeString(ys)
	if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
		return nil, errors.New("jwk has bad coordinates")
	}
	k := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	if !k.Curve.IsOnCurve(k.X, k.Y) { //nolint:staticcheck // the check is the point
		return nil, errors.New("jwk is not on P-256")
	}
	return k, nil
}

// thumbprint is the JWK thumbprint (RFC 7638) of an EC public key.
func thumbprint(jwk map[string]any) string {
	x, _ := jwk["x"].(string)
	y, _ := jwk["y"].(string)
	sum := sha256.Sum256([]byte(`{"crv":"P-256","kty":"EC","x":"` + x + `","y":"` + y + `"}`))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// writeProofError answers a refused proof at the token endpoint (400,
// RFC 9449 §5) or an API (401 with a DPoP challenge, §7.1), with the
// current nonce for use_dpop_nonce.
func (s *Server) writeProofError(w http.ResponseWriter, err error, api bool) {
	var pe *proofError
	if !errors.As(err, &pe) {
		pe = &proofError{"invalid_dpop_proof", err.Error()}
	}
	s.setNonceHeader(w)
	// The Date header is the server's clock (RFC 9110 §6.6.1), which a
	// client corrects a proof's iat by.
	w.Header().Set("Date", s.dpopNow().UTC().Format(http.TimeFormat))
	if api {
		w.Header().Set("WWW-Authenticate", `DPoP error="`+pe.code+`", algs="ES256"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": pe.code, "error_description": pe.desc})
		return
	}
	tokenError(w, pe.code, pe.desc)
}

// setNonceHeader sends the current nonce when nonces are required.
func (s *Server) setNonceHeader(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dpop.on && s.dpop.requireNonce {
		w.Header().Set("DPoP-Nonce", s.dpop.nonce)
	}
}

// tokenProof checks a token request's proof: its thumbprint, "" when
// DPoP is off or the request carries none.
func (s *Server) tokenProof(r *http.Request) (string, error) {
	if !s.dpopOn() {
		return "", nil
	}
	return s.checkProof(r, s.issuer+"/oauth2/token", "")
}

// boundToken checks the binding of an access token whose claims are
// claims on an API request to htu: a token with cnf.jkt wants
// "Authorization: DPoP" and a proof of that key with ath (RFC 9449 §7);
// a token without it wants Bearer.
func (s *Server) boundToken(r *http.Request, claims jwt.MapClaims, scheme, tok, htu string) error {
	cnf, _ := claims["cnf"].(map[string]any)
	jkt, _ := cnf["jkt"].(string)
	if jkt == "" {
		if !strings.EqualFold(scheme, "Bearer") {
			return errors.New("a Bearer token presented with the DPoP scheme")
		}
		return nil
	}
	if !strings.EqualFold(scheme, "DPoP") {
		return errors.New("a DPoP-bound token presented as a Bearer token (RFC 9449 §7.2)")
	}
	got, err := s.checkProof(r, htu, tok)
	if err != nil {
		return err
	}
	if got == "" {
		return &proofError{"invalid_dpop_proof", "no DPoP proof"}
	}
	if got != jkt {
		return &proofError{"invalid_dpop_proof", "the proof's key is not the token's (cnf.jkt)"}
	}
	return nil
}
