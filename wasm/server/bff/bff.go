// Package bff is a backend for frontend (draft-ietf-oauth-browser-based-apps
// §6.1) for the gopkce browser module configured with bff: "/bff": an
// ordinary [http.Handler] that is the confidential client and keeps every
// token (access, refresh, ID) out of JavaScript. The page still runs the
// login (PKCE, state and nonce) and calls the same functions; this handler
// exchanges the code with the client's secret, verifies the ID token with
// the core's checks (wasm/oauth) and golang-jwt (wasm/oauth/oauthjwt)
// against the provider's key set, seals the tokens into HttpOnly cookies
// and calls the page's APIs for it through an allow-list of routes.
//
// Endpoints, under [Config.Prefix] (default "/bff"), all POST:
//
//	/bff/token    grant_type=authorization_code (code, redirect_uri,
//	              code_verifier, nonce) or grant_type=refresh_token; answers
//	              the session's expiry and a handle that names its generation
//	/bff/session  the session as JavaScript may see it: loggedIn, expiry, the
//	              verified ID token's claims, the routes
//	/bff/logout   revokes the refresh token (RFC 7009), clears every cookie
//
// and, for each [Route], any method under its Path: the proxy, which adds
// "Authorization: Bearer" upstream (RFC 6750 §2.1).
//
// Every request must come from the page itself: the [RequestHeader] header
// (a cross-origin page cannot send it without a CORS preflight the handler
// never grants), Sec-Fetch-Site same-origin when sent, and an Origin equal
// to [Config.Origin] (required, except on a GET or HEAD of the proxy, for
// which browsers send no Origin on a same-origin request: Sec-Fetch-Site
// same-origin is then required instead). Every refusal is JSON with a code,
// never a redirect. The handler keeps no state: any number of instances
// sharing the cookie key serve the same sessions.
//
// The proxy never refreshes: with rotating refresh tokens, two requests
// refreshing the same token would revoke the grant. An expired access token
// gets 401 {"error":"token_expired"}; the page refreshes once under its
// cross-tab lock and retries once.
package bff

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/oauth"
	"github.com/gopkce/gopkce/wasm/oauth/oauthhttp"
	"github.com/gopkce/gopkce/wasm/oauth/oauthjwt"
	"github.com/gopkce/gopkce/wasm/server/internal/gate"
	"github.com/gopkce/gopkce/wasm/server/internal/provider"
)

// RequestHeader must be present, with the value "1", on every request.
const RequestHeader = protocol.RequestHeader

// Client authentication styles (RFC 6749 §2.3.1).
const (
	ClientSecretBasic = provider.ClientSecretBasic
	ClientSecretPost  = provider.ClientSecretPost
)

// Which token a route sends.
const (
	AccessToken = "access_token"
	// IDToken: for APIs that take the ID token as a bearer token
	// (Smokeball's legacy API).
	IDToken = "id_token"
)

// Defaults of [Config].
const (
	DefaultPrefix               = "/bff"
	DefaultTimeout              = 10 * time.Second
	DefaultProxyTimeout         = 30 * time.Second
	DefaultRefreshTokenLifetime = 30 * 24 * time.Hour
	// DefaultMaxBodyBytes caps a proxied request body and a proxied
	// response body, each.
	DefaultMaxBodyBytes = 10 << 20
	// MaxRequestBytes caps the body of a request to the handler's own
	// endpoints.
	MaxRequestBytes = 16 << 10
)

// Route maps a same-origin path prefix to one upstream origin and path
// prefix: with Path "/api/" and Upstream "https://api.example.com/v1/",
// GET /api/items?x=1 is GET https://api.example.com/v1/items?x=1.
type Route struct {
	// Path starts and ends with "/".
	Path string
	// Upstream is an absolute https URL (http on loopback) ending with
	// "/", without query, fragment or credentials.
	Upstream string
	// Token is [AccessToken] (the default) or [IDToken].
	Token string
}

// Config configures a [Handler]. ClientSecret and the cookie keys are
// secrets: load them from the environment or a file, never from a flag.
type Config struct {
	// Issuer is the provider's issuer: the ID token's iss.
	Issuer             string
	TokenEndpoint      string
	RevocationEndpoint string // optional (RFC 7009)
	// JWKSURI is the provider's key set, for ID-token signatures.
	JWKSURI      string
	ClientID     string
	ClientSecret string
	AuthStyle    string // default ClientSecretBasic
	// Origin is the page's origin: "https://app.example.com".
	Origin             string
	CookieKey          []byte   // 32 bytes
	PreviousCookieKeys [][]byte // still open cookies
	Prefix             string   // default DefaultPrefix
	Routes             []Route
	// RefreshTokenLifetime: the cookies expire then, counted from login.
	RefreshTokenLifetime time.Duration
	// Timeout bounds each provider request; ProxyTimeout a proxied call,
	// its bodies included.
	Timeout, ProxyTimeout time.Duration
	MaxBodyBytes          int64
	// HTTPClient sends the provider's requests and the proxied ones;
	// redirects are never followed.
	HTTPClient *http.Client
	// Keys replaces the key set fetched from JWKSURI (tests, pinned keys).
	Keys   oauth.KeySource
	Logger *slog.Logger
	Now    func() time.Time
	Rand   io.Reader
}

// Handler is the backend for frontend. Create it with [New].
type Handler struct {
	cfg      Config
	client   *http.Client
	prov     *provider.Client
	verifier *oauth.IDTokenVerifier
	jar      *jar
	routes   []route
	log      *slog.Logger
}

type route struct {
	Route
	upstream *url.URL
}

// New checks cfg and returns a handler.
func New(cfg Config) (*Handler, error) {
	bad := func(field, msg string) error { return fmt.Errorf("bff: %s %s", field, msg) }
	for name, v := range map[string]string{"TokenEndpoint": cfg.TokenEndpoint, "JWKSURI": cfg.JWKSURI, "Issuer": cfg.Issuer} {
		if v == "" && !(name == "JWKSURI" && cfg.Keys != nil) {
			return nil, bad(name, "is required")
		}
		if v != "" && gate.CheckEndpoint(v) != nil {
			return nil, bad(name, gate.CheckEndpoint(v).Error())
		}
	}
	if cfg.RevocationEndpoint != "" && gate.CheckEndpoint(cfg.RevocationEndpoint) != nil {
		return nil, bad("RevocationEndpoint", gate.CheckEndpoint(cfg.RevocationEndpoint).Error())
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, bad("ClientID and ClientSecret", "are required (a BFF is a confidential client)")
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
	if cfg.ProxyTimeout <= 0 {
		cfg.ProxyTimeout = DefaultProxyTimeout
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
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
	h := &Handler{cfg: cfg, log: cfg.Logger}
	h.client = provider.NoRedirects(cfg.HTTPClient, 0)
	for _, r := range cfg.Routes {
		rt, err := checkRoute(r, cfg.Prefix)
		if err != nil {
			return nil, bad("Routes", err.Error())
		}
		for _, o := range h.routes {
			if strings.HasPrefix(o.Path, rt.Path) || strings.HasPrefix(rt.Path, o.Path) {
				return nil, bad("Routes", fmt.Sprintf("%q and %q overlap", o.Path, rt.Path))
			}
		}
		h.routes = append(h.routes, rt)
	}
	h.prov = &provider.Client{
		TokenEndpoint: cfg.TokenEndpoint, RevocationEndpoint: cfg.RevocationEndpoint,
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, AuthStyle: cfg.AuthStyle,
		Timeout: cfg.Timeout, HTTP: provider.NoRedirects(cfg.HTTPClient, cfg.Timeout), Now: cfg.Now,
	}
	keys := cfg.Keys
	if keys == nil {
		keys = oauth.NewRemoteKeys(cfg.JWKSURI, oauthhttp.New(h.prov.HTTP), nil, cfg.Now, cfg.Timeout)
	}
	h.verifier = &oauth.IDTokenVerifier{Issuer: cfg.Issuer, ClientID: cfg.ClientID, Keys: keys, Signatures: oauthjwt.Verifier{}, Now: cfg.Now, Leeway: oauth.DefaultClockLeeway}
	h.jar, err = newJar(append([][]byte{cfg.CookieKey}, cfg.PreviousCookieKeys...), loopback, cfg.ClientID, cfg.Origin, cfg.TokenEndpoint, cfg.Rand)
	if err != nil {
		return nil, bad("CookieKey", err.Error())
	}
	h.cfg.CookieKey, h.cfg.PreviousCookieKeys, h.cfg.ClientSecret = nil, nil, ""
	return h, nil
}

// Mount registers the handler on mux: its endpoints and every route. A
// ServeMux answers a path with "..", "//" or "." segments with a redirect
// to its cleaned form before any handler runs; a host that must refuse
// those with JSON instead (the handler does) dispatches to the handler
// before its mux, with [Handler.Owns].
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle(h.cfg.Prefix+"/", h)
	for _, r := range h.routes {
		mux.Handle(r.Path, h)
	}
}

// Owns reports whether path is one of the handler's: under its prefix or
// a route's path.
func (h *Handler) Owns(path string) bool {
	if strings.HasPrefix(path, h.cfg.Prefix+"/") {
		return true
	}
	for _, r := range h.routes {
		if strings.HasPrefix(path, r.Path) {
			return true
		}
	}
	return false
}

// CookieName returns the name of the session cookies' first chunk.
func (h *Handler) CookieName() string { return h.jar.chunkName(0) }

// ServeHTTP serves the endpoints and the proxy.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.cfg.Now()
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	op, status, err := h.serve(w, r)
	level := slog.LevelInfo
	attrs := []slog.Attr{slog.String("op", op)}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Code: string(protocol.ServerError), Status: http.StatusInternalServerError}
		}
		status = e.Status
		attrs = append(attrs, slog.String("code", e.Code))
		if e.ProviderStatus != 0 {
			attrs = append(attrs, slog.Int("provider_status", e.ProviderStatus))
		}
		level = gate.RefusalLevel(e.Status, e.Code)
		writeError(w, e)
	}
	attrs = append(attrs, slog.Int("status", status), slog.Duration("duration", h.cfg.Now().Sub(start)))
	h.log.LogAttrs(r.Context(), level, "bff", attrs...)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (op string, status int, err error) {
	if rt := h.routeFor(r.URL.Path); rt != nil {
		op = "proxy"
		if err := h.checkSameOrigin(r, true); err != nil {
			return op, 0, err
		}
		status, err := h.proxy(w, r, rt)
		return op, status, err
	}
	switch r.URL.Path {
	case h.cfg.Prefix + protocol.TokenPath:
		op = "token"
	case h.cfg.Prefix + protocol.SessionPath:
		op = "session"
	case h.cfg.Prefix + protocol.LogoutPath:
		op = "logout"
	default:
		return "unknown", 0, &Error{Code: string(protocol.NotFound), Status: http.StatusNotFound, Description: "no such endpoint"}
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return op, 0, &Error{Code: string(protocol.MethodNotAllowed), Status: http.StatusMethodNotAllowed, Description: "only POST"}
	}
	if err := h.checkSameOrigin(r, false); err != nil {
		return op, 0, err
	}
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(h.cfg.Timeout))
	switch op {
	case "session":
		return op, http.StatusOK, h.session(w, r)
	case "logout":
		return op, http.StatusOK, h.logout(w, r)
	}
	return h.token(w, r)
}

// checkSameOrigin refuses what may be a cross-site request (CSRF); see
// [gate.SameOrigin]. Only a proxied GET or HEAD may come without Origin.
func (h *Handler) checkSameOrigin(r *http.Request, proxied bool) error {
	if why := gate.SameOrigin(r, h.cfg.Origin, proxied); why != "" {
		return &Error{Code: string(protocol.Forbidden), Status: http.StatusForbidden, Description: why}
	}
	return nil
}

func checkRoute(r Route, prefix string) (route, error) {
	if !strings.HasPrefix(r.Path, "/") || !strings.HasSuffix(r.Path, "/") || len(r.Path) < 2 || badPath(r.Path) {
		return route{}, fmt.Errorf("path %q must start and end with \"/\", without dot segments, escapes or \"//\"", r.Path)
	}
	if strings.HasPrefix(r.Path, prefix+"/") {
		return route{}, fmt.Errorf("path %q is under the handler's prefix %q", r.Path, prefix)
	}
	if err := gate.CheckEndpoint(r.Upstream); err != nil {
		return route{}, fmt.Errorf("upstream %q %v", r.Upstream, err)
	}
	u, _ := url.Parse(r.Upstream)
	if u.RawQuery != "" || u.ForceQuery || !strings.HasSuffix(u.Path, "/") || badPath(u.EscapedPath()) {
		return route{}, fmt.Errorf("upstream %q must end with \"/\", without query or dot segments", r.Upstream)
	}
	switch r.Token {
	case "":
		r.Token = AccessToken
	case AccessToken, IDToken:
	default:
		return route{}, fmt.Errorf("token %q: want %s or %s", r.Token, AccessToken, IDToken)
	}
	return route{Route: r, upstream: u}, nil
}

func (h *Handler) routeFor(path string) *route {
	for i := range h.routes {
		if strings.HasPrefix(path, h.routes[i].Path) {
			return &h.routes[i]
		}
	}
	return nil
}
