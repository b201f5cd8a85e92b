package oauth

import (
	"context"
	"strconv"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// APIToken returns the token to attach, as "Authorization: Bearer", to a
// request for rawURL (RFC 6750 §2.1). It is what gopkce.fetch calls.
//
// The token is given only to the origins of [Config.APIOrigins]: any other
// origin, including a mistyped one, gets [CodeOriginNotAllowed] and no
// token, so that a wrong URL cannot leak it.
//
// rejected is empty for a first attempt. After the API answered 401 with
// a challenge, rejected is the token that was sent and challenge is the
// response's WWW-Authenticate header. When the challenge says
// error="invalid_token" (RFC 6750 §3.1), APIToken returns a refreshed token
// for one retry: a new one if another caller has refreshed since, else
// the result of a forced refresh. When it says
// error="insufficient_user_authentication" (RFC 9470 §3), APIToken returns
// a [CodeInsufficientUserAuthentication] error carrying the acr_values and
// max_age the API asked for ([StepUpFrom]). Otherwise it returns "" and
// the 401 stands.
func (c *Client) APIToken(ctx context.Context, rawURL, rejected, challenge string) (string, error) {
	if err := c.checkAPIOrigin(rawURL); err != nil {
		return "", err
	}
	if rejected == "" {
		return c.Token(ctx, TokenOptions{})
	}
	switch params := BearerParams(challenge); params["error"] {
	case "invalid_token":
	case CodeInsufficientUserAuthentication:
		return "", stepUpError(params)
	default:
		return "", nil
	}
	tok, err := c.Token(ctx, TokenOptions{})
	if err != nil || tok != rejected {
		return tok, err
	}
	return c.Token(ctx, TokenOptions{ForceRefresh: true})
}

// APIOrigins returns the origins gopkce.fetch sends the token to, each
// serialised (RFC 6454 §6.1): apiOrigins, or the redirect URI's origin
// when none is configured.
func (c *Client) APIOrigins() []string {
	if len(c.cfg.APIOrigins) > 0 {
		return append([]string(nil), c.cfg.APIOrigins...)
	}
	if o, err := requestOrigin(c.cfg.RedirectURI); err == nil {
		return []string{o}
	}
	return nil
}

// checkAPIOrigin refuses a URL outside [Config.APIOrigins].
func (c *Client) checkAPIOrigin(rawURL string) error {
	origin, err := requestOrigin(rawURL)
	if err != nil {
		return err
	}
	if !c.apiOriginAllowed(origin) {
		return NewError(CodeOriginNotAllowed, origin+" is not in apiOrigins: the token is sent only to the origins listed there, and nothing was sent")
	}
	return nil
}

// apiOriginAllowed reports whether origin is one of the configured API
// origins; with none configured, the redirect URI's origin (the page's own)
// is the only one.
func (c *Client) apiOriginAllowed(origin string) bool {
	for _, a := range c.APIOrigins() {
		if a == origin {
			return true
		}
	}
	return false
}

// requestOrigin returns the serialised origin of an absolute http(s) URL
// (RFC 6454 §6.1): lowercase scheme and host, default port dropped.
//
// URLs with user information are refused: the browser's fetch refuses
// them too, and "https://api.example@evil.example" must never read as the
// API's origin. So are the URLs [weburl.Parse] refuses (spaces, control
// characters, backslashes before the query), which a browser's Request.url
// never holds.
func requestOrigin(rawURL string) (string, error) {
	u, err := weburl.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", NewError(CodeInvalidArgument, "gopkce.fetch needs an absolute http or https URL without user information")
	}
	if o, err := u.CanonicalOrigin(); err == nil {
		return o, nil
	}
	return u.Origin(), nil
}

// ParseAPIOrigin validates one entry of apiOrigins: an origin such as
// "https://api.example.com" (no path, query or fragment), https, or http
// on a loopback host. It returns the origin as the browser serialises it
// ([weburl.URL.CanonicalOrigin]: "http://[0:0:0:0:0:0:0:1]" is
// "http://[::1]", "https://api.example.com:0443" is
// "https://api.example.com", "http://127.1" is "http://127.0.0.1"), so
// that it compares equal to the origin of the URLs the page fetches.
func ParseAPIOrigin(s string) (string, error) {
	u, err := weburl.Parse(s)
	if err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.HasFragment {
		return "", configError("apiOrigins", "each entry must be an origin such as https://api.example.com, without path, query or fragment")
	}
	origin, err := u.CanonicalOrigin()
	if err != nil {
		return "", configError("apiOrigins", strconv.Quote(s)+" is not an origin a browser can reach ("+strings.TrimPrefix(err.Error(), "weburl: ")+")")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !protocol.IsLoopback(canonicalHostname(origin)) {
			return "", configError("apiOrigins", "http is allowed on loopback hosts only: the token would cross the network in clear")
		}
	default:
		return "", configError("apiOrigins", "each entry must be an https origin (http on loopback only)")
	}
	return origin, nil
}

// canonicalHostname is the host of a serialised origin, without port or
// brackets.
func canonicalHostname(origin string) string {
	u, err := weburl.Parse(origin)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
