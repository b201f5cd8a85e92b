package oauth

import (
	"context"
	"net/url"
)

// Logout forgets the tokens and returns where to send the browser: the
// provider's logout endpoint when configured (Cognito: client_id and
// logout_uri; OpenID Connect RP-initiated logout: client_id and
// post_logout_redirect_uri), or the post-logout URI. No token is put in the
// URL (RFC 9700 §4.3.2), so id_token_hint is not sent. With a token
// handler, the handler first revokes the refresh token (RFC 7009) and
// clears its cookie; the local session ends even if that fails.
func (c *Client) Logout(ctx context.Context) (string, error) {
	if c.cfg.TokenHandler != "" {
		c.logoutAtHandler(ctx)
	}
	c.removeTokens()
	c.emit(Event{Type: EventLoggedOut})
	q := url.Values{"client_id": {c.cfg.ClientID}}
	// The discovery document is not fetched here: without it in the tab's
	// cache, the browser goes to the post-logout URI.
	p := c.knownProvider()
	if p == nil {
		p = c.staticProvider()
	}
	var ep string
	switch {
	case p.logoutEndpoint != "":
		ep = p.logoutEndpoint
		q.Set("logout_uri", c.cfg.PostLogoutRedirectURI)
	case p.endSessionEndpoint != "":
		ep = p.endSessionEndpoint
		q.Set("post_logout_redirect_uri", c.cfg.PostLogoutRedirectURI)
	default:
		return c.cfg.PostLogoutRedirectURI, nil
	}
	return withQuery(ep, q), nil
}
