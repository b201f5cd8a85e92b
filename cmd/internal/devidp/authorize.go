package devidp

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

func sortStrings(s []string) { sort.Strings(s) }

// authRequest is a validated authorization request.
type authRequest struct {
	client                                                Client
	redirect, state, challenge, nonce, scope, respType, m string
	dpopJKT                                               string // RFC 9449 §10
}

// checkAuthRequest validates an authorization request the way Cognito
// does. A bad client_id or redirect_uri is shown as plain text (never
// redirected: RFC 6749 §4.1.2.1); other errors are redirected back.
func (s *Server) checkAuthRequest(q url.Values) (ar authRequest, plainErr string, redirectErr string) {
	for k, v := range q {
		if len(v) > 1 {
			return ar, "parameter " + k + " is repeated", ""
		}
	}
	s.mu.Lock()
	c, ok := s.clients[q.Get("client_id")]
	s.mu.Unlock()
	if !ok {
		return ar, "unknown client_id", ""
	}
	ar.client = c
	ar.redirect = q.Get("redirect_uri")
	if !c.allowsRedirect(ar.redirect) {
		return ar, c.redirectRefusal(ar.redirect), ""
	}
	ar.state, ar.nonce, ar.scope = q.Get("state"), q.Get("nonce"), q.Get("scope")
	ar.challenge, ar.m, ar.respType = q.Get("code_challenge"), q.Get("code_challenge_method"), q.Get("response_type")
	if s.dpopOn() {
		ar.dpopJKT = q.Get("dpop_jkt")
	}
	switch ar.respType {
	case "code":
	case "":
		return ar, "", "invalid_request"
	default:
		return ar, "", "unauthorized_client"
	}
	// PKCE is required for public clients, S256 only (RFC 7636 §4.2).
	if ar.challenge == "" || ar.m != "S256" || len(ar.challenge) != 43 || strings.Trim(ar.challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return ar, "", "invalid_request"
	}
	for _, sc := range strings.Fields(ar.scope) {
		if !knownScopes[sc] {
			return ar, "", "invalid_scope"
		}
	}
	return ar, "", ""
}

func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, ar authRequest, code, desc string) {
	q := url.Values{"error": {code}, "iss": {s.issuer}}
	if desc != "" {
		q.Set("error_description", desc)
	}
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	http.Redirect(w, r, ar.redirect+"?"+q.Encode(), http.StatusFound)
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · gopkce development provider</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;margin:0;display:grid;place-items:center;min-height:100vh}
main{box-sizing:border-box;background:#fff;padding:clamp(1rem,5vw,2rem);border-radius:12px;box-shadow:0 2px 12px #0002;width:min(22rem,calc(100vw - 2rem));overflow-wrap:anywhere}
h1{font-size:1.25rem;margin:0 0 .25rem}p{color:#555;font-size:.875rem;margin:.25rem 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text]{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #bbb;border-radius:6px;font-size:1rem}
.row{display:flex;gap:.5rem;margin-top:1rem}button{flex:1;padding:.6rem;border-radius:6px;border:0;font-size:1rem;cursor:pointer}
#login{background:#2563eb;color:#fff}#cancel{background:#e5e7eb}.err{color:#b91c1c}
</style></head><body><main>
<h1>Sign in</h1>
<p>Development identity provider — any user name works, no password. Never use it in production.</p>
{{if .Error}}<p class="err">{{.Error}}</p>{{end}}
<form method="post" action="/oauth2/authorize">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<label for="username">User name</label>
<input type="text" id="username" name="username" value="{{.Fields.username}}" autocomplete="username" autofocus>
<label for="acr">Authentication level reached (acr; empty: none)</label>
<input type="text" id="acr" name="acr" value="{{.Fields.acr}}">
<div class="row"><button id="login" name="action" value="login">Sign in</button>
<button id="cancel" name="action" value="cancel">Cancel</button></div>
</form></main></body></html>`))

func (s *Server) pageHeaders(w http.ResponseWriter, ar authRequest) {
	// The form posts to 'self', which redirects to the redirect URI:
	// form-action covers that redirect too.
	origins := []string{"'self'", originOf(ar.redirect)}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action "+strings.Join(origins, " ")+"; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
}

// acceptAuthRequest validates q and, when it is refused, answers: plain text
// for an unknown client or redirect URI, a redirect with the error otherwise.
func (s *Server) acceptAuthRequest(w http.ResponseWriter, r *http.Request, q url.Values) (authRequest, bool) {
	ar, plain, rerr := s.checkAuthRequest(q)
	switch {
	case plain != "":
		http.Error(w, "devidp: "+plain, http.StatusBadRequest)
		return ar, false
	case rerr != "":
		s.redirectError(w, r, ar, rerr, "")
		return ar, false
	}
	return ar, true
}

// authorize: GET /oauth2/authorize shows the login page.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.recordAuthorize(q)
	ar, ok := s.acceptAuthRequest(w, r, q)
	switch {
	case !ok:
	case checkOIDCParams(q) != "":
		s.redirectError(w, r, ar, checkOIDCParams(q), "prompt or max_age is malformed")
	case !s.silentLogin(w, r, ar, q):
		s.renderLogin(w, ar, q, "")
	}
}

func (s *Server) renderLogin(w http.ResponseWriter, ar authRequest, q url.Values, msg string) {
	params := map[string]string{}
	for _, k := range []string{"client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "nonce", "scope", "response_type", "prompt", "max_age", "acr_values", "login_hint", "dpop_jkt"} {
		if q.Has(k) {
			params[k] = q.Get(k)
		}
	}
	s.pageHeaders(w, ar)
	loginPage.Execute(w, map[string]any{"Params": params, "Error": msg, "Fields": formFields(q)})
}

// login: POST /oauth2/authorize signs the user in and redirects back with
// a code (single use, 5 minutes, bound to client, redirect and challenge).
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "devidp: bad form", http.StatusBadRequest)
		return
	}
	q := r.PostForm
	action, name := q.Get("action"), strings.TrimSpace(q.Get("username"))
	form := url.Values{"acr": {q.Get("acr")}}
	q.Del("action")
	q.Del("username")
	q.Del("acr")
	ar, ok := s.acceptAuthRequest(w, r, q)
	if !ok {
		return
	}
	if action == "cancel" {
		s.redirectError(w, r, ar, "access_denied", "The user cancelled the sign-in.")
		return
	}
	if name == "" || len(name) > 128 {
		s.renderLogin(w, ar, q, "Enter a user name.")
		return
	}
	s.issueCode(w, r, ar, s.signedIn(w, form, userFor(name, s.now())))
}

// issueCode redirects back with a code for u (single use, 5 minutes,
// bound to client, redirect and challenge).
func (s *Server) issueCode(w http.ResponseWriter, r *http.Request, ar authRequest, u user) {
	now := s.now()
	code := randomID(32)
	s.mu.Lock()
	s.pruneLocked()
	s.codes[code] = &codeGrant{
		client: ar.client.ID, redirect: ar.redirect, challenge: ar.challenge, nonce: ar.nonce, scope: ar.scope,
		user: u, expires: now.Add(s.codeTTL), grant: randomID(12), jkt: ar.dpopJKT,
	}
	s.mu.Unlock()
	back := url.Values{"code": {code}, "iss": {s.issuer}}
	if ar.state != "" {
		back.Set("state", ar.state)
	}
	http.Redirect(w, r, ar.redirect+"?"+back.Encode(), http.StatusFound)
}

// logout: GET /logout?client_id=&logout_uri= (Cognito). The logout_uri
// must be registered exactly.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.keepLogoutLocked(q)
	c, ok := s.clients[q.Get("client_id")]
	s.mu.Unlock()
	target := q.Get("logout_uri")
	if target == "" {
		target = q.Get("post_logout_redirect_uri")
	}
	switch {
	case !ok:
		http.Error(w, fmt.Sprintf("devidp: unknown client_id %q", q.Get("client_id")), http.StatusBadRequest)
		return
	case !c.allowsLogout(target):
		http.Error(w, fmt.Sprintf("devidp: logout_uri %q is not registered for client %q (registered: %q)", target, c.ID, c.LogoutURIs), http.StatusBadRequest)
		return
	}
	s.endSession(w, r)
	http.Redirect(w, r, target, http.StatusFound)
}
