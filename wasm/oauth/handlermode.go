package oauth

import (
	"context"
	"io"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// Token-handler mode. With [Config.TokenHandler] set, the module is the
// front half of a confidential client (draft-ietf-oauth-browser-based-apps
// §6.2): it still does PKCE, state, nonce and the ID-token checks, but it
// sends code exchanges and refreshes to a same-origin token handler, which
// authenticates to the provider and keeps the refresh token in an HttpOnly
// cookie. JavaScript never sees a refresh token; refreshes stay one at a
// time across tabs under the same lock, so the cookie is never raced.

// checkHandlerPath accepts a same-origin absolute path: "/oauth".
func checkHandlerPath(p string) error {
	u, err := weburl.ParseRef(p)
	switch {
	case err != nil || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`):
		return plainError(`must be a path on the page's own origin, such as "/oauth"`)
	case u.RawQuery != "" || u.ForceQuery || u.HasFragment:
		return plainError("must not have a query or a fragment")
	case strings.HasSuffix(p, "/"):
		return plainError(`must not end with "/" ("/oauth", not "/oauth/")`)
	}
	for _, seg := range strings.Split(p, "/") {
		// A browser reads "%2e" as "." here (WHATWG URL, single- and
		// double-dot path segments): "/a/%2e%2e/oauth" is "/oauth".
		seg = strings.ReplaceAll(strings.ToLower(seg), "%2e", ".")
		if seg == "." || seg == ".." {
			return plainError("must not contain . or .. segments")
		}
	}
	return nil
}

// tokenEndpointRequest is the token request: to the provider's token
// endpoint, with no credentials (client_id in the body only, no
// Authorization header, so a CORS "simple request" with no preflight); or
// to the token handler's endpoint ([protocol.TokenPath] or
// [protocol.LogoutPath]), same-origin with the page's cookies and
// [protocol.RequestHeader].
func (c *Client) tokenEndpointRequest(path string, form weburl.Values) *Request {
	r := &Request{
		Method: "POST",
		URL:    c.cfg.TokenEndpoint,
		Header: map[string]string{
			"Content-Type": "application/x-www-form-urlencoded",
			"Accept":       "application/json",
		},
		Body: []byte(form.Encode()),
	}
	if c.cfg.TokenHandler != "" {
		r.URL = c.cfg.TokenHandler + path
		r.Header[protocol.RequestHeader] = protocol.RequestHeaderValue
		r.SameOriginCredentials = true
	}
	return r
}

// logoutAtHandler asks the token handler to revoke the refresh token at
// the provider (RFC 7009) and to clear its cookie. It is best effort: the
// local session ends whatever it answers, and its failure is returned
// only to be reported.
func (c *Client) logoutAtHandler(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.opts.Transport.RoundTrip(ctx, c.tokenEndpointRequest(protocol.LogoutPath, weburl.Values{}))
	if err != nil {
		return wrapError(CodeNetworkError, "the token handler's logout failed", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxTokenResponseBytes))
	resp.Body.Close()
	if resp.Status != 200 {
		return &Error{Code: CodeNetworkError, Status: resp.Status, msg: "the token handler's logout answered an error"}
	}
	if c.cfg.BFF != "" {
		return bffRevoked(body)
	}
	return nil
}
