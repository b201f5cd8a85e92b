// Package tokenhandler is a token-mediating backend
// (draft-ietf-oauth-browser-based-apps §6.2) for a confidential client: an
// ordinary [http.Handler] that the gopkce browser module calls instead of
// the provider's token endpoint when it is configured with
// tokenHandler: "/oauth".
//
// The browser still does PKCE, state, nonce and ID-token checks. The
// handler adds client authentication (client_secret_basic or
// client_secret_post, RFC 6749 §2.3.1) to the code exchange and to
// refreshes, and keeps the refresh token out of JavaScript: the provider's
// response is passed through without it, and the refresh token travels in
// an AES-GCM sealed, HttpOnly, SameSite=Strict cookie. The handler keeps
// no state of its own, so any number of instances serve the same sessions.
//
// Endpoints, under [Config.Prefix] (default "/oauth"):
//
//	POST /oauth/token   grant_type=authorization_code (code, redirect_uri,
//	                    code_verifier) or grant_type=refresh_token
//	POST /oauth/logout  revokes the refresh token (RFC 7009) and clears the cookie
//
// Both accept only same-origin requests: POST, an Origin header equal to
// [Config.Origin], the [RequestHeader] header (which a cross-origin page
// cannot send without a CORS preflight the handler never grants), and no
// Sec-Fetch-Site other than same-origin.
package tokenhandler

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/server/internal/gate"
	upstream "github.com/gopkce/gopkce/wasm/server/internal/provider"
)

// AuthStyle is how the handler authenticates to the token endpoint.
type AuthStyle string

const (
	// ClientSecretBasic is HTTP Basic with the form-urlencoded id and
	// secret (RFC 6749 §2.3.1): Amazon Cognito.
	ClientSecretBasic AuthStyle = "client_secret_basic"
	// ClientSecretPost puts client_id and client_secret in the form body
	// (RFC 6749 §2.3.1): Azure AD B2C.
	ClientSecretPost AuthStyle = "client_secret_post"
)

// RequestHeader must be present, with the value "1", on every request to
// the handler. A custom header makes any cross-origin request need a CORS
// preflight, which the handler never answers favourably. The browser
// module sends it; both take it from wasm/internal/protocol.
const RequestHeader = protocol.RequestHeader

// MaxRequestBytes caps the browser's request body.
const MaxRequestBytes = 16 << 10

// Defaults of [Config].
const (
	DefaultPrefix               = "/oauth"
	DefaultTimeout              = 10 * time.Second
	DefaultRefreshTokenLifetime = 30 * 24 * time.Hour // Amazon Cognito's default
)

// Cookie names. The __Host- prefix requires Secure, Path=/ and no Domain
// (RFC 6265bis §4.1.3.2), so a sibling subdomain cannot plant or shadow it.
// On a loopback http origin a Secure cookie is not stored, so the prefix
// cannot be used there: the development name has none.
const (
	CookieName         = "__Host-gopkce-rt"
	LoopbackCookieName = "gopkce-rt"
)

// Config configures a [Handler]. ClientSecret and CookieKey are secrets:
// load them from the environment or a file ([SecretFromEnv], [KeyFromEnv]),
// never from a command-line flag, which other users of the machine can read.
type Config struct {
	// TokenEndpoint of the provider (https, or http on a loopback host).
	TokenEndpoint string
	// RevocationEndpoint of the provider (RFC 7009), optional: without it
	// logout only clears the cookie.
	RevocationEndpoint string
	ClientID           string
	ClientSecret       string
	// AuthStyle defaults to [ClientSecretBasic].
	AuthStyle AuthStyle
	// Origin is the page's origin, "https://app.example.com": requests
	// must carry exactly this Origin, and redirect_uri must be on it.
	Origin string
	// CookieKey is the 32-byte AES-256-GCM key that seals the cookie. Every
	// instance serving the origin uses the same key; changing it ends
	// every session, unless the old key moves to PreviousCookieKeys.
	CookieKey []byte
	// PreviousCookieKeys still open cookies (32 bytes each); new cookies
	// are sealed with CookieKey. A rotated refresh token moves a session
	// to the new key; drop an old key after the refresh-token lifetime.
	PreviousCookieKeys [][]byte
	// Prefix is where the handler is mounted; default [DefaultPrefix].
	Prefix string
	// RefreshTokenLifetime is how long a refresh token lives from its
	// login; the cookie expires then. Providers do not say: Cognito's
	// default is 30 days, Azure AD B2C's 14 days (web apps).
	RefreshTokenLifetime time.Duration
	// Timeout bounds reading the browser's request and each provider
	// request; default [DefaultTimeout].
	Timeout time.Duration
	// HTTPClient sends the provider requests; redirects are never
	// followed. Default: a client with Timeout.
	HTTPClient *http.Client
	// Logger receives one line per request: operation, status, code,
	// duration. Never a token, a code, a cookie or the secret. Default:
	// slog.Default().
	Logger *slog.Logger
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
}

// Handler is the token handler. Create it with [New].
type Handler struct {
	cfg        Config
	client     *http.Client
	box        *cookieBox
	prov       *upstream.Client
	cookieName string
	secure     bool
	log        *slog.Logger
}

// New checks cfg and returns a handler.
func New(cfg Config) (*Handler, error) {
	bad := func(field, msg string) error { return fmt.Errorf("tokenhandler: %s %s", field, msg) }
	if err := gate.CheckEndpoint(cfg.TokenEndpoint); err != nil {
		return nil, bad("TokenEndpoint", err.Error())
	}
	if cfg.RevocationEndpoint != "" {
		if err := gate.CheckEndpoint(cfg.RevocationEndpoint); err != nil {
			return nil, bad("RevocationEndpoint", err.Error())
		}
	}
	if cfg.ClientID == "" {
		return nil, bad("ClientID", "is required")
	}
	if cfg.ClientSecret == "" {
		return nil, bad("ClientSecret", "is required (a public client needs no token handler)")
	}
	switch cfg.AuthStyle {
	case "":
		cfg.AuthStyle = ClientSecretBasic
	case ClientSecretBasic, ClientSecretPost:
	default:
		return nil, bad("AuthStyle", fmt.Sprintf("%q: want %s or %s", cfg.AuthStyle, ClientSecretBasic, ClientSecretPost))
	}
	loopback, err := gate.CheckOrigin(cfg.Origin)
	if err != nil {
		return nil, bad("Origin", err.Error())
	}
	if len(cfg.CookieKey) != 32 {
		return nil, bad("CookieKey", "must be 32 bytes (AES-256)")
	}
	for _, k := range cfg.PreviousCookieKeys {
		if len(k) != 32 {
			return nil, bad("PreviousCookieKeys", "must be 32 bytes each (AES-256)")
		}
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if err := gate.CheckPrefix(cfg.Prefix); err != nil {
		return nil, bad("Prefix", err.Error())
	}
	if cfg.RefreshTokenLifetime <= 0 {
		cfg.RefreshTokenLifetime = DefaultRefreshTokenLifetime
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	client := upstream.NoRedirects(cfg.HTTPClient, cfg.Timeout)
	h := &Handler{cfg: cfg, client: client, cookieName: CookieName, secure: true, log: cfg.Logger}
	h.prov = h.providerClient()
	if loopback {
		h.cookieName, h.secure = LoopbackCookieName, false
	}
	h.box, err = newCookieBox(append([][]byte{cfg.CookieKey}, cfg.PreviousCookieKeys...), h.cookieName, cfg.ClientID, cfg.Origin, cfg.TokenEndpoint, cfg.Rand)
	if err != nil {
		return nil, bad("CookieKey", err.Error())
	}
	h.cfg.CookieKey, h.cfg.PreviousCookieKeys = nil, nil // kept only inside the ciphers
	return h, nil
}

// CookieName returns the name of the refresh-token cookie: [CookieName],
// or [LoopbackCookieName] on a loopback http origin.
func (h *Handler) CookieName() string { return h.cookieName }

// ServeHTTP serves POST {prefix}/token and POST {prefix}/logout.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.cfg.Now()
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Pragma", "no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	op, status, err := h.serve(w, r)
	code := ""
	level := slog.LevelInfo
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Code: CodeServerError, Status: http.StatusInternalServerError}
		}
		status, code = e.Status, e.Code
		level = gate.RefusalLevel(e.Status, e.Code)
		writeError(w, e)
	}
	attrs := []slog.Attr{slog.String("op", op), slog.Int("status", status), slog.Duration("duration", h.cfg.Now().Sub(start))}
	if code != "" {
		attrs = append(attrs, slog.String("code", code))
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.ProviderStatus != 0 {
			attrs = append(attrs, slog.Int("provider_status", e.ProviderStatus))
		}
	}
	h.log.LogAttrs(r.Context(), level, "tokenhandler", attrs...)
}

// serve routes and checks a request; it writes successes itself.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (op string, status int, err error) {
	op = "unknown"
	switch r.URL.Path {
	case h.cfg.Prefix + protocol.TokenPath:
		op = "token"
	case h.cfg.Prefix + protocol.LogoutPath:
		op = "logout"
	default:
		return op, 0, &Error{Code: CodeNotFound, Status: http.StatusNotFound, Description: "no such endpoint"}
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return op, 0, &Error{Code: CodeMethodNotAllowed, Status: http.StatusMethodNotAllowed, Description: "only POST"}
	}
	if err := h.checkSameOrigin(r); err != nil {
		return op, 0, err
	}
	// The browser's side of the timeouts: a slow body is cut off.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(h.cfg.Timeout))
	ctx := r.Context()
	if op == "logout" {
		return op, http.StatusOK, h.logout(ctx, w, r)
	}
	form, err := readForm(w, r)
	if err != nil {
		return op, 0, err
	}
	switch form.Get("grant_type") {
	case "authorization_code":
		op = "exchange"
		return op, http.StatusOK, h.exchange(ctx, w, form)
	case "refresh_token":
		op = "refresh"
		return op, http.StatusOK, h.refresh(ctx, w, r, form)
	case "":
		return op, 0, &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: "grant_type is required"}
	}
	return op, 0, &Error{Code: CodeUnsupportedGrantType, Status: http.StatusBadRequest, Description: "only authorization_code and refresh_token"}
}

// checkSameOrigin refuses what may be a cross-site request (CSRF); see
// [gate.SameOrigin]. Every request must carry the Origin.
func (h *Handler) checkSameOrigin(r *http.Request) error {
	if why := gate.SameOrigin(r, h.cfg.Origin, false); why != "" {
		return &Error{Code: CodeForbidden, Status: http.StatusForbidden, Description: why}
	}
	return nil
}

// browserOnly lists what the browser may send; everything else it sends
// is dropped, and these are refused outright: a client secret or
// assertion does not belong in a browser, and the refresh token is the
// handler's.
var refusedParams = []string{"client_secret", "client_assertion", "client_assertion_type", "refresh_token"}

func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil, &Error{Code: CodeInvalidRequest, Status: http.StatusUnsupportedMediaType, Description: "Content-Type must be application/x-www-form-urlencoded"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &Error{Code: CodeBodyTooLarge, Status: http.StatusRequestEntityTooLarge, Description: "the request body is larger than " + strconv.Itoa(MaxRequestBytes) + " bytes"}
		}
		return nil, &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: "the request body could not be read"}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: "malformed form"}
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: "parameter " + strconv.Quote(k) + " is repeated"}
		}
	}
	for _, k := range refusedParams {
		if form.Has(k) {
			return nil, &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: k + " must not come from the browser"}
		}
	}
	return form, nil
}

// exchange redeems a code (RFC 6749 §4.1.3) with client authentication.
func (h *Handler) exchange(ctx context.Context, w http.ResponseWriter, in url.Values) error {
	if err := h.checkClientID(in); err != nil {
		return err
	}
	for _, k := range []string{"code", "redirect_uri", "code_verifier"} {
		if in.Get(k) == "" {
			return &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: k + " is required"}
		}
	}
	if g := in.Get(protocol.GrantParam); len(g) > maxGrantBytes {
		return &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: protocol.GrantParam + " is longer than " + strconv.Itoa(maxGrantBytes) + " bytes"}
	}
	if ru, err := url.Parse(in.Get("redirect_uri")); err != nil || ru.Scheme+"://"+ru.Host != h.cfg.Origin {
		return &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: "redirect_uri is not on the application's origin"}
	}
	now := h.cfg.Now()
	fields, rt, err := h.tokenRequest(ctx, url.Values{
		"grant_type": {"authorization_code"}, "code": {in.Get("code")},
		"redirect_uri": {in.Get("redirect_uri")}, "code_verifier": {in.Get("code_verifier")},
	})
	if err != nil {
		return err
	}
	if rt == "" {
		// No refresh token (no offline_access): an older session's cookie
		// must not outlive this login.
		h.clearCookie(w)
		return writeTokens(w, fields, false)
	}
	exp := now.Add(h.cfg.RefreshTokenLifetime)
	if err := h.putCookie(w, sealedCookie{V: 1, RefreshToken: rt, LoginAt: now.Unix(), Expires: exp.Unix(), Grant: in.Get(protocol.GrantParam)}, now); err != nil {
		return err
	}
	return writeTokens(w, fields, true)
}

// maxGrantBytes bounds the browser's grant id (22 characters from the
// module) so that the cookie stays small.
const maxGrantBytes = 64

// refresh uses the cookie's refresh token (RFC 6749 §6). A rotated refresh
// token replaces the cookie; a response without one keeps it (Cognito).
// invalid_grant clears the cookie; a transient failure keeps it.
//
// The browser cannot choose the scope: a refresh asks for the grant's own
// scope, and one that carries scope is refused before anything is sent.
// A provider may refuse a scope with invalid_grant while the refresh
// token is still good (Entra ID and Azure AD B2C: AADSTS65001, consent
// required), and the handler, which does not know the granted scope,
// could not tell that from a refused refresh token: it would clear a good
// cookie. The gopkce module never sends a scope on refresh.
func (h *Handler) refresh(ctx context.Context, w http.ResponseWriter, r *http.Request, in url.Values) error {
	if err := h.checkClientID(in); err != nil {
		return err
	}
	if in.Has("scope") {
		return &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: "scope cannot change on a refresh through the token handler"}
	}
	now := h.cfg.Now()
	s, err := h.readCookie(r, now)
	if err != nil {
		if !errors.Is(err, &Error{Code: CodeCookieMissing}) {
			h.clearCookie(w)
		}
		return err
	}
	// The cookie must belong to the browser's session: a refresh answer
	// that landed after a newer login's (or logout's) Set-Cookie left an
	// older grant's cookie, which never serves this session. It is refused
	// as invalid_grant, so that the browser ends its session, and kept: it
	// is not this request's to clear.
	if s.Grant != "" && in.Get(protocol.GrantParam) != s.Grant {
		return cookieErr(CodeCookieInvalid, "the session cookie belongs to another login")
	}
	fields, rt, err := h.tokenRequest(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.RefreshToken}})
	if err != nil {
		if errors.Is(err, &Error{Code: "invalid_grant"}) {
			h.clearCookie(w)
		}
		return err
	}
	if rt != "" && rt != s.RefreshToken {
		s.RefreshToken = rt
		if err := h.putCookie(w, s, now); err != nil {
			return err
		}
	}
	return writeTokens(w, fields, true)
}

// logout revokes the cookie's refresh token when the provider has a
// revocation endpoint (RFC 7009), and clears the cookie in every case. It
// answers {"revoked": bool}, with "error" when the revocation failed.
func (h *Handler) logout(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	h.clearCookie(w)
	resp := map[string]any{"revoked": false}
	s, err := h.readCookie(r, h.cfg.Now())
	if err == nil && h.cfg.RevocationEndpoint != "" {
		if rerr := h.revoke(ctx, s.RefreshToken); rerr != nil {
			var e *Error
			errors.As(rerr, &e)
			resp["error"] = e.Code
			h.log.LogAttrs(ctx, slog.LevelError, "tokenhandler", slog.String("op", "revoke"), slog.String("code", e.Code), slog.Int("provider_status", e.ProviderStatus))
		} else {
			resp["revoked"] = true
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) checkClientID(in url.Values) error {
	if id := in.Get("client_id"); id != "" && id != h.cfg.ClientID {
		return &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: "client_id is not this handler's client"}
	}
	return nil
}

func (h *Handler) readCookie(r *http.Request, now time.Time) (sealedCookie, error) {
	c, err := r.Cookie(h.cookieName)
	if err != nil || c.Value == "" {
		return sealedCookie{}, cookieErr(CodeCookieMissing, "no session cookie: log in again")
	}
	return h.box.open(c.Value, now)
}

func (h *Handler) putCookie(w http.ResponseWriter, s sealedCookie, now time.Time) error {
	v, err := h.box.seal(s)
	if err != nil {
		return err
	}
	if len(h.cookieName)+len(v) > maxCookieBytes {
		return &Error{Code: CodeServerError, Status: http.StatusInternalServerError, Description: "the refresh token is too large for a cookie"}
	}
	h.setCookie(w, v, time.Unix(s.Expires, 0), now)
	return nil
}

// writeTokens answers the provider's token response without its refresh
// token, plus [protocol.RefreshTokenHeld]: whether the cookie holds one, so the
// browser knows it can refresh.
func writeTokens(w http.ResponseWriter, fields map[string]json.RawMessage, held bool) error {
	fields[protocol.RefreshTokenHeld] = json.RawMessage(strconv.FormatBool(held))
	return writeJSON(w, http.StatusOK, fields)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	if err := gate.WriteJSON(w, status, v); err != nil {
		return &Error{Code: CodeServerError, Status: http.StatusInternalServerError, err: err}
	}
	return nil
}

// writeError answers an RFC 6749 §5.2 error body.
func writeError(w http.ResponseWriter, e *Error) {
	gate.WriteError(w, e.Status, e.Code, e.Description, e.RetryAfter)
}
