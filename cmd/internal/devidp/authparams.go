package devidp

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The authorization request's OpenID Connect parameters (OpenID Connect
// Core §3.1.2.1) as the provider plays them:
//
//   - prompt=login shows the sign-in form even with a provider session (the
//     form is always shown without prompt=none); prompt=none never shows
//     it: with a provider session (the devidp_session cookie, set by every
//     sign-in) that satisfies max_age, a code is issued at once, otherwise
//     the answer is error=login_required (§3.1.2.6).
//   - max_age: the session's authentication time must be within it, or
//     the user signs in again; the ID token carries auth_time always.
//   - acr_values: the form has an "acr" field, prefilled with the first
//     value asked for; what it holds when the user signs in is the acr the
//     ID and access tokens carry (empty: no acr claim). A test chooses the
//     level the user reaches by filling it.
//   - login_hint prefills the user name.
//
// Every GET of the authorization endpoint is recorded
// ([Server.AuthorizeRequests]).

// sessionCookie names the provider's own sign-in session.
const sessionCookie = "devidp_session"

// StrongACR is the authentication context class /api/strong demands
// (RFC 9470 §3).
const StrongACR = "urn:devidp:acr:mfa"

// authParams is the provider's state for the parameters above.
type authParams struct {
	coop         bool
	sessions     map[string]user // by devidp_session cookie
	authorizes   []url.Values
	authTimeSkew time.Duration // ID and access tokens' auth_time moved back by this
	userinfoSub  string        // when set, userinfo answers this sub
}

// SetPageCOOP makes every response of the provider send
// Cross-Origin-Opener-Policy: same-origin, which severs a popup from the
// page that opened it (as Microsoft's and Google's sign-in pages do).
func (s *Server) SetPageCOOP(on bool) {
	s.mu.Lock()
	s.auth.coop = on
	s.mu.Unlock()
}

// AuthorizeRequests returns the query of every GET of the authorization
// endpoint, oldest first.
func (s *Server) AuthorizeRequests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.auth.authorizes...)
}

// ForgeAuthTime makes the tokens issued from now on claim an auth_time
// age before the real sign-in (0: the real time), as a provider that
// ignored max_age would.
func (s *Server) ForgeAuthTime(age time.Duration) {
	s.mu.Lock()
	s.auth.authTimeSkew = age
	s.mu.Unlock()
}

// SetUserInfoSub makes the userinfo endpoint answer with this sub instead
// of the access token's ("": the token's), as a mixed-up provider would
// (OpenID Connect Core §5.3.2: the client must refuse it).
func (s *Server) SetUserInfoSub(sub string) {
	s.mu.Lock()
	s.auth.userinfoSub = sub
	s.mu.Unlock()
}

// checkOIDCParams checks prompt and max_age; it returns an error code for
// a redirect, or "".
func checkOIDCParams(q url.Values) string {
	prompts := strings.Fields(q.Get("prompt"))
	for _, p := range prompts {
		switch p {
		case "none", "login", "consent", "select_account":
		default:
			return "invalid_request"
		}
	}
	if slices.Contains(prompts, "none") && len(prompts) > 1 {
		return "invalid_request" // §3.1.2.1: none with another value is an error
	}
	if q.Has("max_age") {
		if n, err := strconv.Atoi(q.Get("max_age")); err != nil || n < 0 {
			return "invalid_request"
		}
	}
	return ""
}

// maxAgeOK reports whether a sign-in at at satisfies q's max_age.
func (s *Server) maxAgeOK(q url.Values, at time.Time) bool {
	if !q.Has("max_age") {
		return true
	}
	n, _ := strconv.Atoi(q.Get("max_age"))
	return !s.now().After(at.Add(time.Duration(n) * time.Second))
}

// silentLogin handles prompt=none: it answers with a code for the
// provider session, or with login_required. It reports whether it
// answered.
func (s *Server) silentLogin(w http.ResponseWriter, r *http.Request, ar authRequest, q url.Values) bool {
	if !slices.Contains(strings.Fields(q.Get("prompt")), "none") {
		return false
	}
	var u user
	ok := false
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		u, ok = s.auth.sessions[c.Value]
		s.mu.Unlock()
	}
	if !ok || !s.maxAgeOK(q, u.AuthTime) {
		s.redirectError(w, r, ar, "login_required", "")
		return true
	}
	s.issueCode(w, r, ar, u)
	return true
}

// signedIn completes a sign-in on the form: the acr the form names, a
// provider session cookie. It returns the user.
func (s *Server) signedIn(w http.ResponseWriter, form url.Values, u user) user {
	u.ACR = strings.TrimSpace(form.Get("acr"))
	id := randomID(24)
	s.mu.Lock()
	if s.auth.sessions == nil {
		s.auth.sessions = map[string]user{}
	}
	s.auth.sessions[id] = u
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return u
}

// recordAuthorize keeps an authorization request's query.
func (s *Server) recordAuthorize(q url.Values) {
	s.mu.Lock()
	s.auth.authorizes = append(s.auth.authorizes, q)
	s.mu.Unlock()
}

// formFields are the form's visible fields' initial values.
func formFields(q url.Values) map[string]string {
	acr, _, _ := strings.Cut(q.Get("acr_values"), " ")
	return map[string]string{"username": q.Get("login_hint"), "acr": acr}
}

// userClaimsLocked adds the sign-in's auth_time and acr to claims.
func (s *Server) userClaimsLocked(claims map[string]any, u user) {
	claims["auth_time"] = u.AuthTime.Add(-s.auth.authTimeSkew).Unix()
	if u.ACR != "" {
		claims["acr"] = u.ACR
	}
}

// endSession ends the browser's provider session, at /logout.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return
	}
	s.mu.Lock()
	delete(s.auth.sessions, c.Value)
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
