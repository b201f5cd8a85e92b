package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/app"
)

// Bindings are the Workers variables the worker reads (wrangler.toml
// [vars], `wrangler dev --var NAME:value`, or the dashboard). They hold
// public configuration only; secrets are set with `wrangler secret put`.
// Each is described once here; README (The edge) lists them.
var bindings = []struct{ name, help string }{
	{"SITE_URL", "the site's origin as browsers see it (https://gopkce.example.workers.dev); the redirect URI is SITE_URL/callback"},
	{"ISSUER", "the provider's issuer identifier"},
	{"AUTHORIZATION_ENDPOINT", "the provider's authorization endpoint"},
	{"TOKEN_ENDPOINT", "the provider's token endpoint"},
	{"LOGOUT_ENDPOINT", "Cognito /logout endpoint"},
	{"END_SESSION_ENDPOINT", "OpenID Connect end_session_endpoint"},
	{"CLIENT_ID", "the client id at the provider"},
	{"SCOPE", "space-separated scopes"},
	{"ISS_PARAMETER_SUPPORTED", `"true" when the provider always sends iss on the redirect (RFC 9207)`},
	{"API", "URL of an API the demo calls with the bearer token"},
	{"STORAGE", `token storage of the page: "session" (default), "local" or "memory"`},
	{"REFRESH_MARGIN_SECONDS", "refresh tokens this long before they expire (default 60)"},
	{"REFRESH_TOKEN_LIFETIME", `"cognito", "azure-b2c-spa" or seconds`},
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
	if v := getenv("REFRESH_MARGIN_SECONDS"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs < 0 {
			return app.Options{}, bad("REFRESH_MARGIN_SECONDS", fmt.Sprintf("%q is not a number of seconds", v))
		}
		o.RefreshMargin = time.Duration(secs * float64(time.Second))
	}
	return o, nil
}
