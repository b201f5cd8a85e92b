package bff

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/oauth"
	"github.com/gopkce/gopkce/wasm/server/internal/provider"
)

// token serves POST {prefix}/token: a code exchange or a refresh.
func (h *Handler) token(w http.ResponseWriter, r *http.Request) (string, int, error) {
	form, err := readForm(w, r)
	if err != nil {
		return "token", 0, err
	}
	if id := form.Get("client_id"); id != "" && id != h.prov.ClientID {
		return "token", 0, &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: "client_id is not this handler's client"}
	}
	switch form.Get("grant_type") {
	case "authorization_code":
		return "exchange", http.StatusOK, h.exchange(w, r, form)
	case "refresh_token":
		if form.Has("scope") {
			return "refresh", 0, &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: "scope cannot change on a refresh through the backend for frontend"}
		}
		return "refresh", http.StatusOK, h.refresh(w, r)
	}
	return "token", 0, &Error{Code: string(protocol.UnsupportedGrantType), Status: http.StatusBadRequest, Description: "only authorization_code and refresh_token"}
}

// exchange redeems the code (RFC 6749 §4.1.3) with the client's secret,
// verifies the ID token against the login's nonce (OpenID Connect Core
// §3.1.3.7) before anything is kept, and seals the tokens.
func (h *Handler) exchange(w http.ResponseWriter, r *http.Request, in url.Values) error {
	for _, k := range []string{"code", "redirect_uri", "code_verifier"} {
		if in.Get(k) == "" {
			return &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: k + " is required"}
		}
	}
	if ru, err := url.Parse(in.Get("redirect_uri")); err != nil || ru.Scheme+"://"+ru.Host != h.cfg.Origin {
		return &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: "redirect_uri is not on the application's origin"}
	}
	now := h.cfg.Now()
	fields, rt, err := h.prov.TokenRequest(r.Context(), url.Values{
		"grant_type": {"authorization_code"}, "code": {in.Get("code")},
		"redirect_uri": {in.Get("redirect_uri")}, "code_verifier": {in.Get("code_verifier")},
	})
	if err != nil {
		return fromProvider(err)
	}
	s, err := h.newSession(fields, now)
	if err != nil {
		return err
	}
	switch nonce := in.Get("nonce"); {
	case nonce == "":
		s.IDToken = "" // not asked for, not verified: not kept
	case s.IDToken == "":
		return &Error{Code: string(protocol.InvalidIDToken), Status: http.StatusBadGateway, Description: "the login asked for openid and the token response has no ID token"}
	default:
		if _, err := h.verifier.Verify(r.Context(), s.IDToken, oauth.IDTokenExpect{Nonce: nonce}); err != nil {
			return idTokenRefused(err)
		}
	}
	s.RefreshToken, s.LoginAt = rt, now.Unix()
	s.Expires = s.AccessExpires
	if rt != "" {
		s.Expires = now.Add(h.cfg.RefreshTokenLifetime).Unix()
	}
	if err := h.jar.write(w, r, s, now); err != nil {
		return err
	}
	return writeSessionTokens(w, s, now)
}

// refresh uses the sealed refresh token (RFC 6749 §6). The page calls it
// under its cross-tab lock, one at a time. A rotated refresh token, a new
// access token and a new ID token (verified against the session's, OpenID
// Connect Core §12.2) replace the old; invalid_grant clears the cookies; a
// transient failure keeps them.
func (h *Handler) refresh(w http.ResponseWriter, r *http.Request) error {
	now := h.cfg.Now()
	s, err := h.jar.read(r, now)
	if err != nil {
		if !errors.Is(err, &Error{Code: string(protocol.CookieMissing)}) {
			h.jar.clear(w)
		}
		return err
	}
	if s.RefreshToken == "" {
		return &Error{Code: string(protocol.InvalidGrant), Status: http.StatusBadRequest, Description: "the session has no refresh token"}
	}
	fields, rt, err := h.prov.TokenRequest(r.Context(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.RefreshToken}})
	if err != nil {
		err = fromProvider(err)
		if errors.Is(err, &Error{Code: string(protocol.InvalidGrant)}) {
			h.jar.clear(w)
		}
		return err
	}
	next, err := h.newSession(fields, now)
	if err != nil {
		return err
	}
	if next.IDToken != "" {
		prev := map[string]any{}
		if s.IDToken != "" {
			prev, _ = oauth.DecodeClaimsUnverified(s.IDToken)
		}
		if _, err := h.verifier.Verify(r.Context(), next.IDToken, oauth.IDTokenExpect{Previous: prev}); err != nil {
			return idTokenRefused(err)
		}
	} else {
		next.IDToken = s.IDToken
	}
	if next.Scope == "" {
		next.Scope = s.Scope
	}
	next.RefreshToken, next.LoginAt, next.Expires = s.RefreshToken, s.LoginAt, s.Expires
	if rt != "" {
		next.RefreshToken = rt
	}
	if err := h.jar.write(w, r, next, now); err != nil {
		return err
	}
	return writeSessionTokens(w, next, now)
}

// newSession reads a token response's access token, ID token, scope and
// expires_in, and names the new generation.
func (h *Handler) newSession(fields map[string]json.RawMessage, now time.Time) (*session, error) {
	s := &session{V: 1}
	json.Unmarshal(fields["access_token"], &s.AccessToken)
	var tt string
	json.Unmarshal(fields["token_type"], &tt)
	if s.AccessToken == "" || !equalFold(tt, "Bearer") {
		return nil, &Error{Code: string(protocol.InvalidResponse), Status: http.StatusBadGateway, Description: "the provider's answer has no Bearer access_token"}
	}
	if raw, ok := fields["id_token"]; ok && string(raw) != "null" && json.Unmarshal(raw, &s.IDToken) != nil {
		return nil, &Error{Code: string(protocol.InvalidResponse), Status: http.StatusBadGateway, Description: "the provider's id_token is not a string"}
	}
	json.Unmarshal(fields["scope"], &s.Scope)
	exp := int64(3600) // RFC 6749 §5.1: expires_in is recommended; an hour when absent
	if raw, ok := fields["expires_in"]; ok {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			var str string
			json.Unmarshal(raw, &str)
			n = json.Number(str)
		}
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || v < 0 || v > 366*24*3600 {
			return nil, &Error{Code: string(protocol.InvalidResponse), Status: http.StatusBadGateway, Description: "the provider's expires_in is not a number of seconds"}
		}
		exp = v
	}
	s.AccessExpires = now.Unix() + exp
	b := make([]byte, 16)
	if _, err := io.ReadFull(h.cfg.Rand, b); err != nil {
		return nil, &Error{Code: string(protocol.ServerError), Status: http.StatusInternalServerError, Description: "no random source"}
	}
	s.Handle = base64.RawURLEncoding.EncodeToString(b)
	return s, nil
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// writeSessionTokens answers a token-shaped response with no token in it:
// the session's handle in place of the access token, its lifetime, and
// whether a refresh token is held.
func writeSessionTokens(w http.ResponseWriter, s *session, now time.Time) error {
	out := map[string]any{
		protocol.SessionHandle: s.Handle, "token_type": "Bearer",
		"expires_in":              max(0, s.AccessExpires-now.Unix()),
		protocol.RefreshTokenHeld: s.RefreshToken != "",
	}
	if s.Scope != "" {
		out["scope"] = s.Scope
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// session serves POST {prefix}/session: {"loggedIn": false}, or the
// session's handle, expiry (Unix milliseconds), whether it can refresh,
// its scope, the verified ID token's claims and the proxy's routes.
func (h *Handler) session(w http.ResponseWriter, r *http.Request) error {
	now := h.cfg.Now()
	s, err := h.jar.read(r, now)
	if err != nil {
		if !errors.Is(err, &Error{Code: string(protocol.CookieMissing)}) {
			h.jar.clear(w)
		}
		writeJSON(w, http.StatusOK, map[string]any{"loggedIn": false})
		return nil
	}
	out := map[string]any{
		"loggedIn": true, protocol.SessionHandle: s.Handle, "expiresAt": s.AccessExpires * 1000,
		"hasRefreshToken": s.RefreshToken != "", "routes": h.routeTable(),
	}
	if s.Scope != "" {
		out["scope"] = s.Scope
	}
	if s.RefreshToken != "" {
		out["refreshTokenExpiresAt"] = s.Expires * 1000
	}
	if s.IDToken != "" {
		// Verified when it was sealed; the seal is authenticated.
		if claims, err := oauth.DecodeClaimsUnverified(s.IDToken); err == nil {
			out["claims"] = claims
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// routeTable is the routes as the page's gopkce.fetch maps them: an
// upstream URL prefix to the same-origin path that proxies it.
func (h *Handler) routeTable() []map[string]string {
	out := make([]map[string]string, 0, len(h.routes))
	for _, r := range h.routes {
		out = append(out, map[string]string{"path": r.Path, "upstream": r.Upstream})
	}
	return out
}

// logout revokes the refresh token (RFC 7009) when the provider has a
// revocation endpoint, or else the access token, and clears every cookie
// whatever happens. It answers {"revoked": bool}.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	h.jar.clear(w)
	out := map[string]any{"revoked": false}
	s, err := h.jar.read(r, h.cfg.Now())
	if err == nil && h.cfg.RevocationEndpoint != "" {
		tok, hint := s.RefreshToken, "refresh_token"
		if tok == "" {
			tok, hint = s.AccessToken, "access_token"
		}
		if rerr := h.revoke(r.Context(), tok, hint); rerr != nil {
			var e *Error
			errors.As(rerr, &e)
			out["error"] = e.Code
			h.log.LogAttrs(r.Context(), slog.LevelError, "bff", slog.String("op", "revoke"), slog.String("code", e.Code), slog.Int("provider_status", e.ProviderStatus))
		} else {
			out["revoked"] = true
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) revoke(ctx context.Context, token, hint string) error {
	if hint == "refresh_token" {
		return fromProvider(h.prov.Revoke(ctx, token))
	}
	c := *h.prov
	return fromProvider(c.RevokeHint(ctx, token, hint))
}

// readForm reads the page's form body: form-urlencoded, at most
// MaxRequestBytes, no repeated parameter, and none of the credentials
// that are the handler's own.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil, &Error{Code: string(protocol.InvalidRequest), Status: http.StatusUnsupportedMediaType, Description: "Content-Type must be application/x-www-form-urlencoded"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &Error{Code: string(protocol.BodyTooLarge), Status: http.StatusRequestEntityTooLarge, Description: "the request body is larger than " + strconv.Itoa(MaxRequestBytes) + " bytes"}
		}
		return nil, &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: "the request body could not be read"}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: "malformed form"}
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: "parameter " + strconv.Quote(k) + " is repeated"}
		}
	}
	for _, k := range []string{"client_secret", "client_assertion", "client_assertion_type", "refresh_token", "access_token", "id_token"} {
		if form.Has(k) {
			return nil, &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: k + " must not come from the browser"}
		}
	}
	return form, nil
}

// idTokenRefused is the page's answer to an ID token that failed a check:
// the check's name, never the token.
func idTokenRefused(err error) error {
	var oe *oauth.Error
	if errors.As(err, &oe) && oe.Code != string(protocol.InvalidIDToken) {
		return &Error{Code: string(protocol.TemporarilyUnavailable), Status: http.StatusBadGateway, Description: "the provider's key set could not be read"}
	}
	return &Error{Code: string(protocol.InvalidIDToken), Status: http.StatusBadGateway, Description: "the ID token failed check " + oauth.FailedCheck(err)}
}

// fromProvider turns a provider error into the handler's.
func fromProvider(err error) error {
	var pe *provider.Error
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	e := Error(*pe)
	return &e
}
