package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"time"

	"github.com/gopkce/gopkce/wasm/server/bff"
)

// Where the backend for frontend is mounted: its endpoints under BFFPath,
// and its one proxy route, BFFRoutePath, for the directory of
// [Provider.API] (the development provider's /api/).
const (
	BFFPath      = "/bff"
	BFFRoutePath = "/api/upstream/"
)

// BFF holds what the backend for frontend needs beyond [Provider]: the
// page's client is then confidential and JavaScript holds no token. The
// host reads the secret and the key from its environment (cmd/serve) or
// its secrets (cmd/edge); they are never flags and never reach the page.
type BFF struct {
	ClientSecret string
	AuthStyle    string
	// CookieKey is the 32-byte AES-256-GCM key of the session cookies.
	CookieKey []byte
	// JWKSURI is the provider's key set, when [Provider.JWKSURI] is not
	// set (the page reads it from discovery; the server does not).
	JWKSURI string
	// RefreshTokenLifetime: 0 is the handler's default (30 days, Cognito).
	RefreshTokenLifetime time.Duration
	// Now is the server's clock (tests skew it); nil: time.Now.
	Now func() time.Time
}

// BFFRoute is the proxy route for [Provider.API]: the same-origin path
// BFFRoutePath for the API's directory ("https://api.example.com/v1/me":
// "https://api.example.com/v1/").
func (p Provider) BFFRoute() ([]bff.Route, error) {
	if p.API == "" {
		return nil, nil
	}
	u, err := url.Parse(p.API)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("app: API %q is not an absolute URL", p.API)
	}
	dir := path.Dir(u.Path)
	if dir != "/" {
		dir += "/"
	}
	return []bff.Route{{Path: BFFRoutePath, Upstream: u.Scheme + "://" + u.Host + dir}}, nil
}

// mountBFF builds the backend for frontend when it is configured; the
// caller dispatches the paths it owns (bff.Handler.Owns) before its mux.
func (o Options) mountBFF(logw io.Writer) (*bff.Handler, error) {
	b := o.BFF
	if b == nil {
		return nil, nil
	}
	routes, err := o.Provider.BFFRoute()
	if err != nil {
		return nil, err
	}
	jwks := o.Provider.JWKSURI
	if jwks == "" {
		jwks = b.JWKSURI
	}
	h, err := bff.New(bff.Config{
		Issuer: o.Provider.Issuer, TokenEndpoint: o.Provider.TokenEndpoint, RevocationEndpoint: o.Provider.RevocationEndpoint,
		JWKSURI: jwks, ClientID: o.Provider.ClientID, ClientSecret: b.ClientSecret, AuthStyle: b.AuthStyle,
		Origin: o.SiteURL, CookieKey: b.CookieKey, Prefix: BFFPath, Routes: routes,
		RefreshTokenLifetime: b.RefreshTokenLifetime, HTTPClient: o.HTTPClient, Now: b.Now,
		Logger: slog.New(slog.NewTextHandler(logw, nil)),
	})
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return h, nil
}

// bffPageConfig turns the page's configuration into the backend for
// frontend's: the server's path in place of the provider's token,
// revocation and key-set URLs, and one session for every tab.
func bffPageConfig(cfg map[string]any) {
	for _, k := range []string{"tokenEndpoint", "revocationEndpoint", "jwksUri"} {
		delete(cfg, k)
	}
	cfg["bff"] = BFFPath
	cfg["storage"] = "local"
}

// serveBFF dispatches the paths h owns to it before next: a ServeMux
// would answer "/api/upstream/../x" with a redirect, which h refuses with
// JSON.
func serveBFF(h *bff.Handler, next http.Handler) http.Handler {
	if h == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.Owns(r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
