package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/wasm/server/tokenhandler"
)

// Bindings are the Workers variables and secrets the worker reads. Public
// configuration is a var (wrangler.toml [vars], `wrangler dev --var
// NAME:value`, or the dashboard); a secret is set with `wrangler secret
// put NAME` (locally: cmd/edge/.dev.vars or --env-file) and never appears
// in wrangler.toml, the build or a URL. Each is described once here;
// web/doc/edge.md lists them.
var bindings = []struct {
	name   string
	secret bool
	help   string
}{
	{"SITE_URL", false, "the site's origin as browsers see it (https://gopkce.example.workers.dev); the redirect URI is SITE_URL/callback"},
	{"ISSUER", false, "the provider's issuer identifier"},
	{"AUTHORIZATION_ENDPOINT", false, "the provider's authorization endpoint"},
	{"TOKEN_ENDPOINT", false, "the provider's token endpoint"},
	{"LOGOUT_ENDPOINT", false, "Cognito /logout endpoint"},
	{"END_SESSION_ENDPOINT", false, "OpenID Connect end_session_endpoint"},
	{"CLIENT_ID", false, "the client id at the provider"},
	{"SCOPE", false, "space-separated scopes"},
	{"ISS_PARAMETER_SUPPORTED", false, `"true" when the provider always sends iss on the redirect (RFC 9207)`},
	{"API", false, "URL of an API the demo calls with the bearer token"},
	{"STORAGE", false, `token storage of the page: "session" (default), "local" or "memory"; always "local" with the token handler`},
	{"REFRESH_MARGIN_SECONDS", false, "refresh tokens this long before they expire (default 60)"},
	{"REFRESH_TOKEN_LIFETIME", false, `"cognito", "azure-b2c-spa" or seconds (the page's, and the token handler's cookie lifetime)`},
	{"REVOCATION_ENDPOINT", false, "the provider's revocation endpoint (RFC 7009): logout revokes the refresh token"},
	// The token handler (confidential client): on when its secret is set.
	{"GOPKCE_CLIENT_SECRET", true, "the client secret: the page then exchanges codes and refreshes through the token handler at /oauth/"},
	{"GOPKCE_COOKIE_KEY", true, "32 bytes of base64 that seal the refresh-token cookie; the same in every isolate (openssl rand -base64 32)"},
	{"AUTH_STYLE", false, `how the token handler authenticates: "client_secret_basic" (default) or "client_secret_post"`},
	// The backend for frontend in place of the token handler: the same
	// secret and key, and the provider's key set.
	{"BFF", false, `"true": the worker is a backend for frontend at /bff/ and keeps every token; the page reaches the API through its proxy at /api/upstream/ (needs GOPKCE_CLIENT_SECRET, GOPKCE_COOKIE_KEY and JWKS_URI)`},
	{"JWKS_URI", false, "the provider's key set, with which the backend for frontend verifies ID tokens"},
	// The demo's machine-to-machine route (POST /api/m2m): on when its
	// token endpoint is set.
	{"M2M_TOKEN_ENDPOINT", false, "token endpoint of a client_credentials client"},
	{"M2M_CLIENT_ID", false, "its client id"},
	{"GOPKCE_M2M_CLIENT_SECRET", true, "its client secret"},
	{"M2M_SCOPE", false, "space-separated scopes it asks for"},
	{"M2M_API", false, "the API POST /api/m2m calls with its token"},
}

// options reads the worker's configuration from its bindings.
func options(getenv func(string) string) (app.Options, error) {
	bad := func(name, msg string) error { return fmt.Errorf("edge: binding %s: %s", name, msg) }
	site := strings.TrimSuffix(getenv("SITE_URL"), "/")
	u, err := url.Parse(site)
	if site == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return app.Options{}, bad("SITE_URL", fmt.Sprintf("%q is not an origin such as https://gopkce.example.workers.dev", site))
	}
	o := app.Options{
		SiteURL: site,
		HTTPS:   u.Scheme == "https",
		Provider: app.Provider{
			Issuer:                getenv("ISSUER"),
			AuthorizationEndpoint: getenv("AUTHORIZATION_ENDPOINT"),
			TokenEndpoint:         getenv("TOKEN_ENDPOINT"),
			LogoutEndpoint:        getenv("LOGOUT_ENDPOINT"),
			EndSessionEndpoint:    getenv("END_SESSION_ENDPOINT"),
			ClientID:              getenv("CLIENT_ID"),
			Scope:                 getenv("SCOPE"),
			API:                   getenv("API"),
		},
		Storage:              getenv("STORAGE"),
		RefreshMargin:        60 * time.Second,
		RefreshTokenLifetime: getenv("REFRESH_TOKEN_LIFETIME"),
	}
	for _, req := range []string{"AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "CLIENT_ID"} {
		if getenv(req) == "" {
			return app.Options{}, bad(req, "missing")
		}
	}
	if o.Storage == "" {
		o.Storage = "session"
	}
	switch v := getenv("ISS_PARAMETER_SUPPORTED"); v {
	case "", "false":
	case "true":
		o.Provider.IssParameterSupported = true
	default:
		return app.Options{}, bad("ISS_PARAMETER_SUPPORTED", fmt.Sprintf("%q is not true or false", v))
	}
	o.Provider.RevocationEndpoint = getenv("REVOCATION_ENDPOINT")
	if secret := getenv("GOPKCE_CLIENT_SECRET"); secret != "" {
		style := tokenhandler.AuthStyle(getenv("AUTH_STYLE"))
		switch style {
		case "":
			style = tokenhandler.ClientSecretBasic
		case tokenhandler.ClientSecretBasic, tokenhandler.ClientSecretPost:
		default:
			return app.Options{}, bad("AUTH_STYLE", fmt.Sprintf("%q is not client_secret_basic or client_secret_post", style))
		}
		// No per-isolate random key: every isolate must open the cookies
		// the others sealed.
		if getenv("GOPKCE_COOKIE_KEY") == "" {
			return app.Options{}, bad("GOPKCE_COOKIE_KEY", "missing: the token handler needs it (wrangler secret put GOPKCE_COOKIE_KEY)")
		}
		key, err := tokenhandler.ParseKey(getenv("GOPKCE_COOKIE_KEY"))
		if err != nil {
			// The error says what is wrong with the key, never the key.
			return app.Options{}, bad("GOPKCE_COOKIE_KEY", err.Error())
		}
		o.TokenHandler = &app.TokenHandler{
			ClientSecret: secret, AuthStyle: style, CookieKey: key,
			RefreshTokenLifetime: app.RefreshTokenDuration(o.RefreshTokenLifetime),
		}
		if err := bffOptions(&o, getenv); err != nil {
			return app.Options{}, err
		}
	} else if getenv("BFF") != "" && getenv("BFF") != "false" {
		return app.Options{}, bad("GOPKCE_CLIENT_SECRET", "missing: BFF is set, so the backend for frontend is meant to run")
	} else if getenv("GOPKCE_COOKIE_KEY") != "" {
		return app.Options{}, bad("GOPKCE_CLIENT_SECRET", "missing: GOPKCE_COOKIE_KEY is set, so the token handler is meant to run")
	}
	if tokenURL := getenv("M2M_TOKEN_ENDPOINT"); tokenURL != "" {
		m := &app.M2M{
			TokenURL: tokenURL, ClientID: getenv("M2M_CLIENT_ID"), ClientSecret: getenv("GOPKCE_M2M_CLIENT_SECRET"),
			Scopes: strings.Fields(getenv("M2M_SCOPE")), AuthStyle: oauth2.AuthStyleInHeader, API: getenv("M2M_API"),
		}
		for name, v := range map[string]string{"M2M_CLIENT_ID": m.ClientID, "GOPKCE_M2M_CLIENT_SECRET": m.ClientSecret, "M2M_API": m.API} {
			if v == "" {
				return app.Options{}, bad(name, "missing: M2M_TOKEN_ENDPOINT is set")
			}
		}
		o.M2M = m
	}
	if v := getenv("REFRESH_MARGIN_SECONDS"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs < 0 {
			return app.Options{}, bad("REFRESH_MARGIN_SECONDS", fmt.Sprintf("%q is not a number of seconds", v))
		}
		o.RefreshMargin = time.Duration(secs * float64(time.Second))
	}
	return o, nil
}

// bffOptions turns the token handler's settings into the backend for
// frontend's when the BFF binding says so.
func bffOptions(o *app.Options, getenv func(string) string) error {
	switch v := getenv("BFF"); v {
	case "", "false":
		return nil
	case "true":
	default:
		return fmt.Errorf("edge: binding BFF: %q is not true or false", v)
	}
	jwks := getenv("JWKS_URI")
	if jwks == "" {
		return fmt.Errorf("edge: binding JWKS_URI: missing: the backend for frontend verifies ID tokens with the provider's key set")
	}
	th := o.TokenHandler
	o.TokenHandler = nil
	o.BFF = &app.BFF{
		ClientSecret: th.ClientSecret, AuthStyle: string(th.AuthStyle), CookieKey: th.CookieKey,
		JWKSURI: jwks, RefreshTokenLifetime: th.RefreshTokenLifetime,
	}
	return nil
}
