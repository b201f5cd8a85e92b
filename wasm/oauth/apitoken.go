package oauth

import (
	"context"

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
	origin, err := requestOrigin(rawURL)
	if err != nil {
		return "", err
	}
	if !c.apiOriginAllowed(origin) {
		return "", NewError(CodeOriginNotAllowed, origin+" is not in apiOrigins: the token is sent only to the origins listed there, and nothing was sent")
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

// apiOriginAllowed reports whether origin is one of the configured API
// origins; with none configured, the redirect URI's origin (the page's own)
// is the only one.
func (c *Client) apiOriginAllowed(origin string) bool {
	allowed := c.cfg.APIOrigins
	if len(allowed) == 0 {
		if o, err := requestOrigin(c.cfg.RedirectURI); err == nil {
			allowed = []string{o}
		}
	}
	for _, a := range allowed {
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
	return u.Origin(), nil
}

// ParseAPIOrigin validates one entry of apiOrigins: an origin such as
// "https://api.example.com" (no path, query or fragment), https, or http
// on a loopback host. It returns the origin in serialised form.
func ParseAPIOrigin(s string) (string, error) {
	u, err := weburl.Parse(s)
	if err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.HasFragment {
		return "", configError("apiOrigins", "each entry must be an origin such as https://api.example.com, without path, query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !protocol.IsLoopback(u.Hostname()) {
			return "", configError("apiOrigins", "http is allowed on loopback hosts only: the token would cross the network in clear")
		}
	default:
		return "", configError("apiOrigins", "each entry must be an https origin (http on loopback only)")
	}
	return u.Origin(), nil
}
