package devidp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// clientCredentials is the client_credentials grant (RFC 6749 §4.4), as
// Cognito runs it for machine-to-machine app clients: only a confidential
// client with custom scopes may use it, the requested scopes must be among
// the client's (none requested: all of them), and the answer is an access
// token only, never a refresh token (RFC 6749 §4.4.3). The token's sub is
// the client id; it names no user.
func (s *Server) clientCredentials(c Client, f url.Values) (map[string]any, string, string) {
	switch {
	case c.Secret == "":
		return nil, "unauthorized_client", "a public client cannot use client_credentials"
	case len(c.Scopes) == 0:
		return nil, "unauthorized_client", "this client is not enabled for client_credentials"
	}
	requested := strings.Fields(f.Get("scope"))
	if len(requested) == 0 {
		requested = c.Scopes
	}
	for _, sc := range requested {
		if !slices.Contains(c.Scopes, sc) {
			return nil, "invalid_scope", ""
		}
	}
	s.mu.Lock()
	ttl := s.ttl
	s.mu.Unlock()
	now := s.now()
	scope := strings.Join(requested, " ")
	at := jwt.MapClaims{
		"iss": s.issuer, "sub": c.ID, "client_id": c.ID, "token_use": "access", "scope": scope,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": randomID(12), "version": 2,
	}
	return map[string]any{"access_token": s.sign(at), "token_type": "Bearer", "expires_in": int(ttl / time.Second)}, "", ""
}

// recordsAPI counts the calls of /api/records.
type recordsAPI struct {
	mu    sync.Mutex
	calls int
}

// records: /api/records, a machine-to-machine API in the manner of seed
// 004's. GET needs the scope api/read or api/write, POST needs api/write.
// A missing or invalid token is a 401 invalid_token, a token without the
// scope a 403 insufficient_scope (RFC 6750 §3.1).
func (s *Server) records(w http.ResponseWriter, r *http.Request) {
	var need []string
	switch r.Method {
	case http.MethodGet:
		need = []string{"api/read", "api/write"}
	case http.MethodPost:
		need = []string{"api/write"}
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	claims, ok := bearerClaims(w, r, s.verifyAccess)
	if !ok {
		return
	}
	scope, _ := claims["scope"].(string)
	granted := strings.Fields(scope)
	if !slices.ContainsFunc(need, func(sc string) bool { return slices.Contains(granted, sc) }) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="devidp", error="insufficient_scope", scope="`+need[len(need)-1]+`"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope", "error_description": "this call needs the scope " + strings.Join(need, " or ")})
		return
	}
	s.recordsAPI.mu.Lock()
	s.recordsAPI.calls++
	n := s.recordsAPI.calls
	s.recordsAPI.mu.Unlock()
	client, _ := claims["client_id"].(string)
	if r.Method == http.MethodPost {
		writeJSON(w, http.StatusCreated, map[string]any{"id": randomID(6), "created_by": client, "scope": scope, "calls": n})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"client_id": client, "scope": scope, "calls": n})
}

// RecordCalls returns how many /api/records calls were authorised.
func (s *Server) RecordCalls() int {
	s.recordsAPI.mu.Lock()
	defer s.recordsAPI.mu.Unlock()
	return s.recordsAPI.calls
}
