// Package app builds the demo's handler stack once, for every host that runs
// it: cmd/serve natively (net/http) and cmd/edge on Cloudflare Workers
// (workers.Serve). Whatever the page and the browser see is decided here:
// the page's configuration (/config.json), the CSP origins it needs, the
// static site with its security headers and precompressed assets, and the
// routes mounted beside the site.
//
// Hosts differ only in what they pass in: where the assets come from (a
// directory, embedded files, a Workers assets binding) and where the
// configuration comes from (flags, Workers vars and secrets).
package app

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/site"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// Provider is the identity provider the page talks to, as configured by the
// host. Only public values: the page is a public client.
type Provider struct {
	Issuer                string
	AuthorizationEndpoint string
	TokenEndpoint         string
	LogoutEndpoint        string // Cognito /logout
	RevocationEndpoint    string // RFC 7009: the page revokes there at logout, or the token handler does
	EndSessionEndpoint    string // OpenID Connect end_session_endpoint
	// DiscoveryURL is a discovery document outside the issuer's
	// well-known path (Azure AD B2C); JWKSURI is the key set, when the page
	// is given it rather than reading it from discovery.
	DiscoveryURL          string
	JWKSURI               string
	ClientID              string
	Scope                 string
	IssParameterSupported bool
	// API is the URL of an API the demo calls with the bearer token.
	API string
	// StepUpAPI is an API on API's origin that may demand a stronger
	// sign-in (RFC 9470), for the demo's step-up action, or "".
	StepUpAPI string
}

// DevProvider is the development provider (cmd/internal/devidp) at issuer,
// with the client id both hosts register there.
func DevProvider(issuer string) Provider {
	return Provider{
		Issuer:                issuer,
		AuthorizationEndpoint: issuer + "/oauth2/authorize",
		TokenEndpoint:         issuer + "/oauth2/token",
		LogoutEndpoint:        issuer + "/logout",
		RevocationEndpoint:    issuer + "/oauth2/revoke",
		ClientID:              DevClientID,
		Scope:                 "openid email profile",
		IssParameterSupported: true,
		API:                   issuer + "/api/me",
		StepUpAPI:             issuer + "/api/strong",
	}
}

// DevClientID is the demo's client id at the development provider.
const DevClientID = "gopkce-demo"

// Options are what a host passes to [New].
type Options struct {
	// SiteURL is the site's origin as the browser sees it
	// (http://127.0.0.1:8080, https://gopkce.example.workers.dev), without
	// a trailing slash. The redirect URI is SiteURL + "/callback".
	SiteURL string
	// Assets are the files of web/ (gopkce.wasm and its .br/.gz included).
	Assets fs.FS
	// Provider is the identity provider of the page.
	Provider Provider

	// Page settings (web/doc/configuration.md).
	Storage              string        // "session", "local" or "memory"
	RefreshMargin        time.Duration // refreshMarginSeconds
	RefreshTokenLifetime string        // "cognito", "azure-b2c-spa" or seconds; "" for unknown

	// HTTPClient makes the server's outbound calls (token endpoint, APIs).
	// nil: http.DefaultClient natively; on Workers, cmd/edge passes the
	// client over the Workers fetch (github.com/syumai/workers).
	HTTPClient *http.Client

	// TokenHandler, when set, makes Provider.ClientID a confidential
	// client: the page exchanges codes and refreshes through the token
	// handler mounted at /oauth/ (see confidential.go).
	TokenHandler *TokenHandler
	// BFF, when set, makes Provider.ClientID a confidential client behind
	// the backend for frontend at /bff/, which keeps every token and
	// proxies Provider.API (see bff.go).
	BFF *BFF
	// M2M, when set, mounts POST /api/m2m: a server-side call of a
	// protected API with a client_credentials token (see confidential.go).
	M2M *M2M

	// Compress encodes files that have no precompressed variant; see
	// site.Options.Compress. nil serves only precompressed variants.
	Compress func(enc string, data []byte) ([]byte, error)

	// HTTPS adds Strict-Transport-Security.
	HTTPS bool
	// Log receives the access log (paths only, never query strings).
	Log io.Writer
	// ConfigHook, when set, may change the page configuration (tests).
	ConfigHook func(cfg map[string]any)
}

// RedirectURI is the page's callback URL.
func (o Options) RedirectURI() string { return o.SiteURL + "/callback" }

// PostLogoutURI is where the provider sends the browser after logout.
func (o Options) PostLogoutURI() string { return o.SiteURL + "/" }

// PageConfig is the "gopkce" object of /config.json: the argument of
// gopkce.configure in web/app.js. Empty values are left out.
func (o Options) PageConfig() map[string]any {
	p := o.Provider
	cfg := map[string]any{
		"clientId":             p.ClientID,
		"redirectUri":          o.RedirectURI(),
		"storage":              o.Storage,
		"refreshMarginSeconds": o.RefreshMargin.Seconds(),
	}
	if o.RefreshTokenLifetime != "" {
		cfg["refreshTokenLifetime"] = lifetime(o.RefreshTokenLifetime)
	}
	for k, v := range map[string]string{
		"issuer": p.Issuer, "authorizationEndpoint": p.AuthorizationEndpoint, "tokenEndpoint": p.TokenEndpoint,
		"logoutEndpoint": p.LogoutEndpoint, "endSessionEndpoint": p.EndSessionEndpoint, "scope": p.Scope,
		"revocationEndpoint": p.RevocationEndpoint,
		"discoveryUrl":       p.DiscoveryURL, "jwksUri": p.JWKSURI,
	} {
		if v != "" {
			cfg[k] = v
		}
	}
	if p.IssParameterSupported {
		cfg["issParameterSupported"] = true
	}
	if o.TokenHandler != nil {
		delete(cfg, "tokenEndpoint")      // the page talks to its own origin's handler
		delete(cfg, "revocationEndpoint") // which revokes the refresh token it holds
		cfg["tokenHandler"] = TokenHandlerPath
		cfg["storage"] = "local" // one refresh-token cookie per browser: one session for every tab
	}
	if o.BFF != nil {
		bffPageConfig(cfg)
	}
	if api := Origins(p.API); len(api) > 0 {
		cfg["apiOrigins"] = api // gopkce.fetch sends the token there only
	}
	if o.ConfigHook != nil {
		o.ConfigHook(cfg)
	}
	return cfg
}

// ConnectOrigins are the origins the page fetches from (CSP connect-src):
// the token endpoint, the discovery document when the page reads one, the
// key set, and the API; nothing else. A key set that discovery names is
// taken to be on the document's origin (Cognito, Azure AD B2C): set
// JWKSURI when it is not.
func (o Options) ConnectOrigins() []string {
	p := o.Provider
	if o.BFF != nil {
		// Every call goes to the page's own origin: the API through the
		// proxy. Discovery only for an authorization endpoint not given.
		if p.AuthorizationEndpoint == "" || p.DiscoveryURL != "" {
			return Origins(p.discoveryURL())
		}
		return nil
	}
	if o.TokenHandler != nil {
		// The token endpoint is the server's business.
		return Origins(p.discoveryURL(), p.JWKSURI, p.API)
	}
	return Origins(p.TokenEndpoint, p.RevocationEndpoint, p.discoveryURL(), p.JWKSURI, p.API)
}

// discoveryURL is the discovery document the page reads, or "": by the
// rules of the page's configuration (gopkce's Config.Validate), an issuer
// without endpoints, or openid in the scope without a key set, means
// discovery.
func (p Provider) discoveryURL() string {
	if p.DiscoveryURL != "" {
		return p.DiscoveryURL
	}
	openid := slices.Contains(strings.Fields(p.Scope), "openid")
	if p.Issuer != "" && (p.AuthorizationEndpoint == "" || p.TokenEndpoint == "" || openid && p.JWKSURI == "") {
		return oauth.DiscoveryURL(p.Issuer)
	}
	return ""
}

// FormOrigins are the origins of CSP form-action: the authorization
// endpoint's.
func (o Options) FormOrigins() []string {
	return Origins(o.Provider.AuthorizationEndpoint)
}

// New returns the demo's handler: the routes below, each answering with the
// site's security headers.
func New(o Options) (http.Handler, error) {
	if o.Assets == nil {
		return nil, fmt.Errorf("app: no assets")
	}
	if _, err := url.Parse(o.SiteURL); err != nil || o.SiteURL == "" {
		return nil, fmt.Errorf("app: site URL %q: %w", o.SiteURL, err)
	}
	pageConfig := map[string]any{"gopkce": o.PageConfig(), "api": o.Provider.API}
	if o.Provider.StepUpAPI != "" {
		pageConfig["stepUpApi"] = o.Provider.StepUpAPI
	}
	if o.M2M != nil {
		pageConfig["m2m"] = M2MPath
	}
	s, err := site.New(site.Options{
		Files:          o.Assets,
		Config:         pageConfig,
		ConnectOrigins: o.ConnectOrigins(),
		FormOrigins:    o.FormOrigins(),
		Compress:       o.Compress,
		HTTPS:          o.HTTPS,
		Log:            o.Log,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	// Routes. Mount server-side handlers here (a token handler under
	// /oauth/, demo APIs under /api/), so that both hosts serve them.
	mux.Handle("/", s)
	if err := o.mountConfidential(mux); err != nil {
		return nil, err
	}
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	bh, err := o.mountBFF(logw)
	if err != nil {
		return nil, err
	}
	toSite := canonicalLoopback(o.SiteURL)
	return serveBFF(bh, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if toSite != nil && toSite(w, r) {
			return
		}
		// ServeMux answers a path that is not clean ("//evil.example/",
		// "/a/../b") with a redirect to its cleaned form; the site
		// refuses it with a 404 instead, with its headers.
		if !clean(r.URL.Path) {
			s.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})), nil
}

// clean reports whether ServeMux would route p without redirecting.
func clean(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	c := path.Clean(p)
	if c != "/" && p[len(p)-1] == '/' {
		c += "/"
	}
	return c == p
}

// Origins returns the scheme://host of each URL, once, skipping empty and
// relative ones.
func Origins(urls ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range urls {
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" {
			continue
		}
		o := pu.Scheme + "://" + pu.Host
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}

// RefreshTokenDuration turns a refresh-token lifetime ("cognito",
// "azure-b2c-spa" or seconds, as the page's refreshTokenLifetime) into the
// token handler's cookie lifetime, so that the two agree; 0 (the handler's
// default) when unknown.
func RefreshTokenDuration(s string) time.Duration {
	switch s {
	case "cognito":
		return 30 * 24 * time.Hour
	case "azure-b2c-spa":
		return 24 * time.Hour
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	return 0
}

// lifetime turns "2592000" into a number and leaves names as they are.
func lifetime(s string) any {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		return secs
	}
	return s
}
