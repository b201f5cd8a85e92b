package devidp

import (
	"net/http"

	"github.com/golang-jwt/jwt/v5"
)

// revoke: POST /oauth2/revoke, token revocation (RFC 7009 §2.1), as
// Cognito's /oauth2/revoke. The client authenticates as at the token
// endpoint. Revoking a refresh token ends its whole grant: the refresh
// token and every access token issued from it are refused afterwards
// (RFC 7009 §2.1, "SHOULD also invalidate all access tokens"). Revoking an
// access token of this provider also ends its grant (RFC 7009 §2: "MAY
// revoke the respective refresh token"). An unknown, invalid or already
// revoked token is answered 200, so that revocation is idempotent
// (RFC 7009 §2.2); a token issued to another client is refused.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	f, ok := s.postForm(w, r, "revocation")
	if !ok {
		return
	}
	c, cerr := s.authenticateClient(r, f)
	if cerr != nil {
		tokenError(w, cerr.code, cerr.desc)
		return
	}
	tok := f.Get("token")
	if tok == "" {
		tokenError(w, "invalid_request", "token is required")
		return
	}
	// token_type_hint only orders the lookup (RFC 7009 §2.1); an unknown
	// hint is ignored, and both kinds are searched.
	owner, grant := s.refreshOwner(tok)
	if grant == "" {
		owner, grant = s.accessOwner(tok)
	}
	if grant != "" && owner != c.ID {
		tokenError(w, "unauthorized_client", "the token was issued to another client")
		return
	}
	s.mu.Lock()
	s.requests["revoke"]++
	if grant != "" {
		s.revoked[grant] = true
		s.revocations++
	}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// refreshOwner returns the client and grant of a refresh token.
func (s *Server) refreshOwner(tok string) (client, grant string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.refresh[tok]; g != nil {
		return g.client, g.grant
	}
	return "", ""
}

// accessOwner returns the client and grant of an access token signed by
// this provider, expired or not.
func (s *Server) accessOwner(tok string) (client, grant string) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return &s.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if err != nil || claims["iss"] != s.issuer || claims["token_use"] != "access" {
		return "", ""
	}
	client, _ = claims["client_id"].(string)
	grant, _ = claims["gid"].(string)
	return client, grant
}

// Revocations returns how many revocation requests ended a grant.
func (s *Server) Revocations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revocations
}

// RefreshTokensOf returns every refresh token issued to a client, valid or
// not, so that tests can look for them where they must not be.
func (s *Server) RefreshTokensOf(client string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for rt, g := range s.refresh {
		if g.client == client {
			out = append(out, rt)
		}
	}
	return out
}
