package devidp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// me: GET /api/me, a protected API. It checks the bearer token's signature
// (RS256 only), issuer, expiry and token_use, and returns its claims.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	if s.preflight(w, r) {
		return
	}
	s.mu.Lock()
	s.apiRequests++
	s.mu.Unlock()
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	scheme, tok, ok := s.apiCredentials(w, r)
	if !ok {
		return
	}
	claims, err := s.Verify(tok)
	if err == nil {
		if err = s.boundToken(r, claims, scheme, tok, s.issuer+"/api/me"); err != nil {
			if pe := (*proofError)(nil); errors.As(err, &pe) {
				s.writeProofError(w, err, true)
				return
			}
		}
	}
	s.mu.Lock()
	if err == nil && s.apiRejects > 0 {
		s.apiRejects--
		err = errors.New("the access token was revoked (injected by RejectAPICalls)")
	}
	s.mu.Unlock()
	if err != nil {
		w.Header().Set("WWW-Authenticate", scheme+` realm="devidp", error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": err.Error()})
		return
	}
	s.mu.Lock()
	s.apiCalls++
	s.mu.Unlock()
	if strings.EqualFold(scheme, "DPoP") {
		s.setNonceHeader(w) // RFC 9449 §8.2: a new nonce may come with a success
	}
	writeJSON(w, 200, map[string]any{"message": "hello " + claims["username"].(string), "claims": claims})
}

// Verify checks an access token issued by this provider to a user.
func (s *Server) Verify(tok string) (jwt.MapClaims, error) {
	claims, err := s.verifyAccess(tok)
	if err != nil {
		return nil, err
	}
	if _, ok := claims["username"].(string); !ok {
		return nil, errors.New("no username")
	}
	return claims, nil
}

// verifyAccess checks an access token of this provider, a user's or a
// client's (client_credentials): signature, issuer, expiry, token_use and
// that its grant was not revoked.
func (s *Server) verifyAccess(tok string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		return &s.key.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(s.issuer), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithTimeFunc(s.now))
	if err != nil {
		return nil, err
	}
	if claims["token_use"] != "access" {
		return nil, errors.New("not an access token")
	}
	gid, _ := claims["gid"].(string)
	s.mu.Lock()
	revoked := s.revoked[gid]
	s.mu.Unlock()
	if revoked {
		return nil, errors.New("the grant was revoked")
	}
	return claims, nil
}

// RejectAPICalls makes the next n /api/me calls that carry a valid token
// answer 401 with error="invalid_token", as an API does once a token was
// revoked or its signing key rotated.
func (s *Server) RejectAPICalls(n int) {
	s.mu.Lock()
	s.apiRejects = n
	s.mu.Unlock()
}

// APIRequests returns how many /api/me requests arrived, preflights
// excepted, whether authorised or not.
func (s *Server) APIRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiRequests
}

// apiCredentials returns the scheme and token of the request's
// Authorization: Bearer, or DPoP when the provider does DPoP (RFC 9449
// §7.1); otherwise it answers 401 and returns false.
func (s *Server) apiCredentials(w http.ResponseWriter, r *http.Request) (string, string, bool) {
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && tok != "" && strings.EqualFold(scheme, "DPoP") && s.dpopOn() {
		return "DPoP", tok, true
	}
	tok, ok := bearerToken(w, r)
	return "Bearer", tok, ok
}
