// Package m2m gets access tokens for machine-to-machine calls with the
// client_credentials grant (RFC 6749 §4.4), on a server: the client secret
// never goes near a browser, and the gopkce browser module has no such API.
//
// It is a thin layer over golang.org/x/oauth2/clientcredentials, which
// sends the request (HTTP Basic by default, as Amazon Cognito
// wants: grant_type=client_credentials&scope=api/write) and over
// oauth2.ReuseTokenSourceWithExpiry, which caches the token and holds one
// lock while it fetches a new one, so any number of concurrent callers make
// one token request. What this package adds: the token is replaced
// [Config.EarlyExpiry] before it expires (at half its lifetime for tokens
// shorter than twice that), redirects are never followed, and requests
// time out.
package m2m

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Defaults of [Config].
const (
	DefaultEarlyExpiry = time.Minute
	DefaultTimeout     = 10 * time.Second
)

// Config is a confidential client's client_credentials registration.
type Config struct {
	// TokenURL is the provider's token endpoint.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Scopes requested ("api/write"); none: the provider's default for the
	// client (Cognito: all of the client's custom scopes).
	Scopes []string
	// AuthStyle is oauth2.AuthStyleInHeader (HTTP Basic, the default) or
	// oauth2.AuthStyleInParams (client_secret in the body, as Azure AD B2C).
	AuthStyle oauth2.AuthStyle
	// EarlyExpiry: a token is replaced this long before it expires, so a
	// call never leaves with a token about to expire on the way. Default
	// [DefaultEarlyExpiry].
	EarlyExpiry time.Duration
	// HTTPClient sends the token requests. Default: a client with
	// [DefaultTimeout]. Redirects are never followed.
	HTTPClient *http.Client
}

// TokenSource returns a caching token source. Keep one per client and
// share it: the cache and the single flight are per source. ctx carries
// no deadline for later calls; each token request is bounded by the HTTP
// client's timeout.
func (c Config) TokenSource(ctx context.Context) oauth2.TokenSource {
	if c.AuthStyle == oauth2.AuthStyleAutoDetect {
		c.AuthStyle = oauth2.AuthStyleInHeader
	}
	if c.EarlyExpiry <= 0 {
		c.EarlyExpiry = DefaultEarlyExpiry
	}
	hc := &http.Client{Timeout: DefaultTimeout}
	if c.HTTPClient != nil {
		cp := *c.HTTPClient
		hc = &cp
		if hc.Timeout <= 0 {
			// Token() holds the source's lock while it waits: an
			// unbounded request would block every caller.
			hc.Timeout = DefaultTimeout
		}
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cc := &clientcredentials.Config{
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: c.TokenURL,
		Scopes: c.Scopes, AuthStyle: c.AuthStyle,
	}
	f := &fetcher{cc: cc, ctx: context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, hc), early: c.EarlyExpiry, now: time.Now}
	return oauth2.ReuseTokenSourceWithExpiry(nil, f, c.EarlyExpiry)
}

// Client returns an HTTP client that sends the source's token as
// Authorization: Bearer on every request (RFC 6750 §2.1). base sends the
// API requests (nil: http.DefaultClient's transport). Redirects are not
// followed: the transport would send the token to whatever host a
// redirect names.
func Client(ts oauth2.TokenSource, base *http.Client) *http.Client {
	out := &http.Client{Timeout: DefaultTimeout}
	var rt http.RoundTripper
	if base != nil {
		*out = *base
		rt = base.Transport
	}
	out.Transport = &oauth2.Transport{Source: ts, Base: rt}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return out
}

// fetcher asks for a new token on each call; ReuseTokenSourceWithExpiry
// calls it only when the cached one is no longer valid.
type fetcher struct {
	cc    *clientcredentials.Config
	ctx   context.Context
	early time.Duration
	now   func() time.Time
}

func (f *fetcher) Token() (*oauth2.Token, error) {
	start := f.now()
	t, err := f.cc.Token(f.ctx)
	if err != nil {
		return nil, err
	}
	if t.AccessToken == "" {
		return nil, errors.New("m2m: the token response has no access_token")
	}
	// A token shorter-lived than twice the early expiry would be replaced
	// on every call: move its expiry so that it is replaced at half its
	// lifetime instead.
	// A token without expires_in would be cached for ever: replace it
	// after the early expiry instead.
	if t.Expiry.IsZero() {
		t.Expiry = start.Add(2 * f.early)
	} else if life := t.Expiry.Sub(start); life < 2*f.early {
		t.Expiry = t.Expiry.Add(f.early - life/2)
	}
	return t, nil
}
