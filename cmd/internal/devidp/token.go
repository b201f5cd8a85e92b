package devidp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FaultKind is a failure the token endpoint can be told to produce.
type FaultKind int

const (
	// FaultHTML500 answers 500 with an HTML page.
	FaultHTML500 FaultKind = iota + 1
	// FaultHTML200 answers 200 with an HTML page.
	FaultHTML200
	// FaultTruncatedJSON answers 200 with JSON cut in the middle.
	FaultTruncatedJSON
	// FaultLowercaseBearer processes the request normally but answers
	// token_type "bearer", as Azure AD B2C does.
	FaultLowercaseBearer
	// FaultDelay waits Fault.Delay, then processes the request normally.
	FaultDelay
	// FaultInvalidGrant answers 400 invalid_grant without looking.
	FaultInvalidGrant
	// FaultStatus503 answers 503 with Retry-After: 1.
	FaultStatus503
	// FaultDropConnection closes the connection without an answer.
	FaultDropConnection
)

// Fault is one injected failure, consumed by the next token request.
type Fault struct {
	Kind  FaultKind
	Delay time.Duration
}

// InjectFaults queues faults for the next token requests, one each.
func (s *Server) InjectFaults(f ...Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, f...)
	s.mu.Unlock()
}

// ClearFaults drops the faults not yet consumed.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// tokenError answers an RFC 6749 §5.2 error; invalid_client is a 401.
func tokenError(w http.ResponseWriter, code, desc string) {
	status := http.StatusBadRequest
	if code == "invalid_client" {
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="devidp"`)
	}
	body := map[string]string{"error": code}
	if desc != "" {
		body["error_description"] = desc
	}
	writeJSON(w, status, body)
}

// cors allows the origins of the registered redirect URIs (and loopback
// origins for an AnyLoopback client), and only them.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if origin == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clients {
		if c.allowsOrigin(origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, DPoP")
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			// A page reads the challenge of a 401 (RFC 6750 §3) only
			// when it is exposed.
			h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, DPoP-Nonce, Date")
			h.Set("Access-Control-Max-Age", "600")
			return
		}
	}
}

// preflight applies CORS and answers an OPTIONS preflight; it reports
// whether the request is done.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) bool {
	s.cors(w, r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

// postForm answers a CORS preflight, and otherwise requires a POST of a
// form of at most 64 KiB to the endpoint it names; ok is false when it has
// answered the request itself.
func (s *Server) postForm(w http.ResponseWriter, r *http.Request, endpoint string) (form url.Values, ok bool) {
	if s.preflight(w, r) {
		return nil, false
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		tokenErrorStatus(w, http.StatusMethodNotAllowed, "invalid_request", "the "+endpoint+" endpoint only supports POST")
		return nil, false
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		tokenError(w, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", "malformed body")
		return nil, false
	}
	return r.PostForm, true
}

// token: POST /oauth2/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	f, ok := s.postForm(w, r, "token")
	if !ok {
		return
	}
	grant := f.Get("grant_type")
	s.mu.Lock()
	s.requests[grant]++
	var fault *Fault
	if len(s.faults) > 0 {
		fault = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	lowercase := false
	if fault != nil {
		switch fault.Kind {
		case FaultHTML500:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			w.Write([]byte("<html><body><h1>500 Internal Server Error</h1><p>upstream exploded</p></body></html>"))
			return
		case FaultHTML200:
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Please sign in</body></html>"))
			return
		case FaultTruncatedJSON:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIi`))
			return
		case FaultInvalidGrant:
			tokenError(w, "invalid_grant", "Refresh Token has been revoked")
			return
		case FaultStatus503:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
			return
		case FaultDropConnection:
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case FaultDelay:
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
				return
			}
		case FaultLowercaseBearer:
			lowercase = true
		}
	}
	client, cerr := s.authenticateClient(r, f)
	if cerr != nil {
		tokenError(w, cerr.code, cerr.desc)
		return
	}
	// A Basic-authenticated request need not repeat client_id in the form;
	// the grants below compare against the authenticated one.
	f.Set("client_id", client.ID)
	jkt, perr := s.tokenProof(r)
	if perr != nil {
		s.writeProofError(w, perr, false)
		return
	}
	s.setNonceHeader(w)
	var resp map[string]any
	var code, desc string
	switch grant {
	case "authorization_code":
		resp, code, desc = s.exchange(f, jkt)
	case "refresh_token":
		resp, code, desc = s.refreshGrant(f, jkt)
	case "client_credentials":
		resp, code, desc = s.clientCredentials(client, f)
	case "":
		code, desc = "invalid_request", "grant_type is required"
	default:
		code = "unsupported_grant_type"
	}
	if code != "" {
		tokenError(w, code, desc)
		return
	}
	if lowercase {
		resp["token_type"] = "bearer"
	}
	s.mu.Lock()
	s.successes[grant]++
	s.recordIssuedLocked(resp)
	s.mu.Unlock()
	writeJSON(w, 200, resp)
}

func tokenErrorStatus(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (s *Server) exchange(f url.Values, jkt string) (map[string]any, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.codes[f.Get("code")]
	switch {
	case f.Get("code") == "" || f.Get("redirect_uri") == "":
		return nil, "invalid_request", "code and redirect_uri are required"
	case c == nil:
		return nil, "invalid_grant", ""
	case c.used:
		// A code used twice revokes what it issued (RFC 6749 §4.1.2).
		s.revoked[c.grant] = true
		return nil, "invalid_grant", ""
	case s.now().After(c.expires):
		return nil, "invalid_grant", ""
	case c.client != f.Get("client_id") || c.redirect != f.Get("redirect_uri"):
		return nil, "invalid_grant", ""
	case f.Get("code_verifier") == "":
		return nil, "invalid_request", "code_verifier is required"
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
		c.used = true
		return nil, "invalid_grant", ""
	}
	if c.jkt != "" && c.jkt != jkt {
		// The code is bound to the key of dpop_jkt (RFC 9449 §10).
		c.used = true
		return nil, "invalid_grant", "the DPoP proof's key is not the one of dpop_jkt"
	}
	c.used = true
	rt := randomID(48)
	s.refresh[rt] = &refreshGrant{client: c.client, scope: c.scope, grant: c.grant, user: c.user, jkt: jkt}
	resp := s.tokensLocked(c.client, c.scope, c.nonce, c.grant, c.user, false, jkt)
	resp["refresh_token"] = rt
	return resp, "", ""
}

func (s *Server) refreshGrant(f url.Values, jkt string) (map[string]any, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := f.Get("refresh_token")
	g := s.refresh[rt]
	switch {
	case rt == "":
		return nil, "invalid_request", "refresh_token is required"
	case g == nil || s.revoked[g.grant] || g.client != f.Get("client_id"):
		return nil, "invalid_grant", "Invalid Refresh Token"
	case g.used:
		// Reuse of a rotated refresh token: revoke the whole grant.
		s.revoked[g.grant] = true
		return nil, "invalid_grant", "Refresh Token has been revoked"
	case g.jkt != "" && g.jkt != jkt:
		// A public client's refresh token is bound to its DPoP key
		// (RFC 9449 §5): without a proof of that key it is worthless.
		return nil, "invalid_grant", "the refresh token is bound to another DPoP key"
	}
	resp := s.tokensLocked(g.client, g.scope, "", g.grant, g.user, true, g.jkt)
	if s.mode == Rotating {
		g.used = true
		next := randomID(48)
		s.refresh[next] = &refreshGrant{client: g.client, scope: g.scope, grant: g.grant, user: g.user, jkt: g.jkt}
		resp["refresh_token"] = next
	}
	return resp, "", ""
}

// tokensLocked issues an access token (and an ID token with openid),
// bound to the DPoP key jkt when set (cnf.jkt, RFC 9449 §6.1).
func (s *Server) tokensLocked(client, scope, nonce, grant string, u user, refresh bool, jkt string) map[string]any {
	now := s.now()
	exp := now.Add(s.ttl)
	at := jwt.MapClaims{
		"iss": s.issuer, "sub": u.Sub, "client_id": client, "token_use": "access",
		"scope": scope, "auth_time": u.AuthTime.Unix(), "iat": now.Unix(), "exp": exp.Unix(),
		"jti": randomID(12), "username": u.Name, "gid": grant,
	}
	typ := "Bearer"
	if jkt != "" {
		at["cnf"] = map[string]any{"jkt": jkt}
		typ = "DPoP"
	}
	s.userClaimsLocked(at, u)
	resp := map[string]any{
		"access_token": s.sign(at),
		"token_type":   typ,
		"expires_in":   int(s.ttl / time.Second),
	}
	if slices.Contains(strings.Fields(scope), "openid") {
		id := jwt.MapClaims{
			"iss": s.issuer, "sub": u.Sub, "aud": client, "token_use": "id",
			"auth_time": u.AuthTime.Unix(), "iat": now.Unix(), "exp": exp.Unix(),
			"email": u.email(), "email_verified": true, "name": u.Name, "cognito:username": u.Name,
			"user_id": u.userID(), "full_name": u.Name, "avatar_url": u.avatar(),
		}
		s.userClaimsLocked(id, u)
		if nonce != "" {
			id["nonce"] = nonce
		}
		resp["id_token"] = s.signIDTokenLocked(id, client, refresh)
	}
	return resp
}
