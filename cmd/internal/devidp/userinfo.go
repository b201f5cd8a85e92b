package devidp

import (
	"net/http"
	"slices"
	"strings"
)

// userinfo: GET or POST /oauth2/userInfo (Cognito's path), the UserInfo
// endpoint (OpenID Connect Core §5.3): the access token's user's claims,
// as JSON, with CORS. [Server.SetUserInfoSub] makes it answer another sub.
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	if s.preflight(w, r) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	claims, ok := bearerClaims(w, r, s.Verify)
	if !ok {
		return
	}
	u := userFor(claims["username"].(string), s.now())
	s.mu.Lock()
	sub := s.auth.userinfoSub
	s.mu.Unlock()
	if sub == "" {
		sub, _ = claims["sub"].(string)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"sub": sub, "username": u.Name, "name": u.Name, "email": u.email(), "email_verified": true,
		"user_id": u.userID(), "avatar_url": u.avatar(),
	})
}

// strong: GET /api/strong, an API that demands a sign-in at [StrongACR]:
// a valid access token without it is answered 401 with an RFC 9470 §3
// challenge, error="insufficient_user_authentication" and acr_values.
func (s *Server) strong(w http.ResponseWriter, r *http.Request) {
	if s.preflight(w, r) {
		return
	}
	claims, ok := bearerClaims(w, r, s.Verify)
	if !ok {
		return
	}
	acr, _ := claims["acr"].(string)
	if !slices.Contains(strings.Fields(acr), StrongACR) {
		const desc = "A multi-factor sign-in is required"
		w.Header().Set("WWW-Authenticate", `Bearer realm="devidp", error="insufficient_user_authentication", error_description="`+desc+`", acr_values="`+StrongACR+`"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "insufficient_user_authentication", "error_description": desc})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "strong hello " + claims["username"].(string), "acr": acr})
}
