package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
	"github.com/gopkce/gopkce/wasm/server/tokenhandler"
)

// Environment variables of the secrets. Secrets never come from flags:
// other users of the machine can read a command line (ps, /proc).
const (
	envClientSecret = "GOPKCE_CLIENT_SECRET"     // the token handler's client secret
	envCookieKey    = "GOPKCE_COOKIE_KEY"        // 32 bytes of base64; default: a new key each run
	envM2MSecret    = "GOPKCE_M2M_CLIENT_SECRET" // the client_credentials client's secret
)

// confidential is the server-side half of the demo: the token handler's
// registration (with -token-handler) and the client_credentials client of
// /api/m2m. With the development provider both are its fixed development
// credentials (devidp.DevClients); with a real provider the secrets come
// from the environment.
type confidential struct {
	tokenHandler bool
	bff          bool
	bffNow       func() time.Time
	authStyle    tokenhandler.AuthStyle
	secret       string
	cookieKey    []byte
	m2mSecret    string
}

func newConfidential(o options) (*confidential, error) {
	c := &confidential{tokenHandler: o.tokenHandler, bff: o.bff, bffNow: o.bffNow, authStyle: tokenhandler.AuthStyle(o.authStyle)}
	if c.tokenHandler && c.bff {
		return nil, fmt.Errorf("-token-handler and -bff: choose one")
	}
	if c.authStyle != tokenhandler.ClientSecretBasic && c.authStyle != tokenhandler.ClientSecretPost {
		return nil, fmt.Errorf("-auth-style %q: want client_secret_basic or client_secret_post", o.authStyle)
	}
	dev := o.clientID == ""
	var err error
	if c.tokenHandler || c.bff {
		if dev {
			c.secret = devidp.DevConfidentialSecret
		} else if c.secret, err = tokenhandler.SecretFromEnv(envClientSecret); err != nil {
			return nil, fmt.Errorf("-token-handler or -bff with a real provider needs the client secret: %w", err)
		}
		if os.Getenv(envCookieKey) != "" || os.Getenv(envCookieKey+"_FILE") != "" {
			if c.cookieKey, err = tokenhandler.KeyFromEnv(envCookieKey); err != nil {
				return nil, err
			}
		} else {
			// Sessions then end when serve restarts.
			c.cookieKey = make([]byte, 32)
			rand.Read(c.cookieKey)
		}
	}
	switch {
	case dev:
		c.m2mSecret = devidp.DevM2MSecret
	case o.m2mTokenEndpoint != "":
		if o.m2mClientID == "" || o.m2mAPI == "" {
			return nil, fmt.Errorf("-m2m-token-endpoint needs -m2m-client-id and -m2m-api")
		}
		if c.m2mSecret, err = tokenhandler.SecretFromEnv(envM2MSecret); err != nil {
			return nil, fmt.Errorf("-m2m-token-endpoint needs the client secret: %w", err)
		}
	}
	return c, nil
}

// devClients are the confidential clients to register at the development
// provider, always, so that a token handler elsewhere (the edge, locally)
// can use them too: the token handler's (with the public client's
// redirect and logout URIs) and the machine-to-machine one.
func (c *confidential) devClients(public devidp.Client) []devidp.Client {
	return devidp.DevClients(public, string(c.authStyle))
}

// apply configures the site: the token handler for the page's client, and
// /api/m2m.
func (c *confidential) apply(ao *app.Options, idp *devidp.Server, o options) {
	if c.tokenHandler {
		if idp != nil {
			ao.Provider.ClientID = devidp.DevConfidentialClientID
		}
		ao.TokenHandler = &app.TokenHandler{ClientSecret: c.secret, AuthStyle: c.authStyle, CookieKey: c.cookieKey,
			RefreshTokenLifetime: app.RefreshTokenDuration(o.refreshTokenLifetime)}
	}
	if c.bff {
		b := &app.BFF{ClientSecret: c.secret, AuthStyle: string(c.authStyle), CookieKey: c.cookieKey,
			RefreshTokenLifetime: app.RefreshTokenDuration(o.refreshTokenLifetime), Now: c.bffNow}
		if idp != nil {
			ao.Provider.ClientID = devidp.DevConfidentialClientID
			b.JWKSURI = idp.Issuer() + "/.well-known/jwks.json"
		}
		ao.BFF = b
	}
	style := oauth2.AuthStyleInHeader
	switch {
	case idp != nil && c.tokenHandler: // the route serves users signed in through the handler
		ao.M2M = &app.M2M{
			TokenURL: idp.Issuer() + "/oauth2/token", ClientID: devidp.DevM2MClientID, ClientSecret: c.m2mSecret,
			Scopes: strings.Fields(o.m2mScope), AuthStyle: style, API: idp.Issuer() + "/api/records",
		}
	case o.m2mTokenEndpoint != "":
		ao.M2M = &app.M2M{
			TokenURL: o.m2mTokenEndpoint, ClientID: o.m2mClientID, ClientSecret: c.m2mSecret,
			Scopes: strings.Fields(o.m2mScope), AuthStyle: style, API: o.m2mAPI,
		}
	}
}

// printBFFSetup tells an integrator how to point their own page, served
// by this server on site, at the backend for frontend: the page's
// configuration has no token endpoint and no secret, and its API calls go
// through gopkce.fetch.
func printBFFSetup(w io.Writer, issuer, site string) {
	p := app.DevProvider(issuer)
	fmt.Fprintf(w, "  your own page (served by this server, -web DIR): gopkce.configure({ issuer: %q,\n"+
		"    authorizationEndpoint: %q, logoutEndpoint: %q, clientId: %q,\n"+
		"    bff: %q, apiOrigins: [%q], redirectUri: location.origin + \"/callback\", scope: %q })\n"+
		"  then gopkce.fetch(%q) goes through %s%s\n",
		p.Issuer, p.AuthorizationEndpoint, p.LogoutEndpoint, devidp.DevConfidentialClientID,
		app.BFFPath, issuer, p.Scope, p.API, site, app.BFFRoutePath)
}
