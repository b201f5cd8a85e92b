package devidp

import (
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// bearerToken returns the request's bearer token (RFC 6750 §2.1), or
// answers 401 with a challenge (§3) and returns false.
func bearerToken(w http.ResponseWriter, r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="devidp"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request", "error_description": "Authorization: Bearer <token> required"})
		return "", false
	}
	return tok, true
}

// bearerClaims reads the request's bearer token and checks it with verify;
// it answers 401 with an RFC 6750 §3.1 invalid_token challenge (or
// bearerToken's) and returns false when either fails.
func bearerClaims(w http.ResponseWriter, r *http.Request, verify func(string) (jwt.MapClaims, error)) (jwt.MapClaims, bool) {
	tok, ok := bearerToken(w, r)
	if !ok {
		return nil, false
	}
	claims, err := verify(tok)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="devidp", error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": err.Error()})
		return nil, false
	}
	return claims, true
}
