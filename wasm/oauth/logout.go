package oauth

import (
	"context"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// LogoutResult is what [Client.Logout] did.
type LogoutResult struct {
	// URL is where to send the browser: the provider's logout endpoint, or
	// the post-logout URI.
	URL string
	// Revoked is true when the provider confirmed the revocation of the
	// refresh token (RFC 7009 §2.2).
	Revoked bool
	// RevokeError is why the revocation failed, when it was attempted and
	// failed. Logout itself succeeded: the local state is gone either way.
	RevokeError error
}

// Logout ends the session. The tokens are removed from storage first and
// logged_out is emitted, whatever happens next. Then, when a revocation
// endpoint is known (configured, from a preset, or from the discovery
// document in the tab's cache) and the session had a refresh token, the
// refresh token is revoked there (RFC 7009 §2.1, token_type_hint
// refresh_token) with a short timeout, so that the grant ends at the
// provider too: a copied refresh token stops working. Last, it returns where
// to send the browser: the provider's logout endpoint when configured
// (Cognito: client_id and logout_uri; OpenID Connect RP-initiated logout:
// client_id and post_logout_redirect_uri, and id_token_hint only when
// [Config.IDTokenHint] opts in, since the ID token then appears in a URL,
// RFC 9700 §4.3.2), or the post-logout URI. With a token handler
// ([Config.TokenHandler]) the handler revokes the refresh token it holds
// and clears its cookie instead.
func (c *Client) Logout(ctx context.Context) (*LogoutResult, error) {
	ts, _ := c.loadTokens() // an unreadable set is removed all the same
	c.removeTokens()
	if ts != nil && ts.JKT != "" {
		// The key goes with the session (RFC 9449 §2: nothing is left
		// that could prove possession later).
		c.opts.DPoPKeys.Delete(ctx, ts.JKT)
	}
	c.emit(Event{Type: EventLoggedOut})
	// The discovery document is not fetched here: without it in the tab's
	// cache, only what the configuration names is used.
	p := c.knownProvider()
	if p == nil {
		p = c.staticProvider()
	}
	res := &LogoutResult{URL: c.logoutURL(p, ts)}
	switch {
	case c.cfg.TokenHandler != "":
		// The handler holds the refresh token: it revokes it (RFC 7009)
		// and clears its cookie.
		res.RevokeError = c.logoutAtHandler(ctx)
		res.Revoked = res.RevokeError == nil
	case p.revocationEndpoint != "" && ts != nil && ts.RefreshToken != "":
		// No DPoP proof, even for a bound refresh token: RFC 9449 defines
		// proofs for the token endpoint (§5) and resources (§7) only, and
		// RFC 7009 §2.1 asks a public client for its client_id alone.
		res.RevokeError = c.revoke(ctx, p.revocationEndpoint, ts.RefreshToken, "refresh_token")
		res.Revoked = res.RevokeError == nil
	}
	return res, nil
}

// logoutURL is where the browser goes after logout.
func (c *Client) logoutURL(p *providerInfo, ts *TokenSet) string {
	q := weburl.Values{"client_id": {c.cfg.ClientID}}
	var ep string
	switch {
	case p.logoutEndpoint != "":
		ep = p.logoutEndpoint
		q.Set("logout_uri", c.cfg.PostLogoutRedirectURI)
	case p.endSessionEndpoint != "":
		ep = p.endSessionEndpoint
		q.Set("post_logout_redirect_uri", c.cfg.PostLogoutRedirectURI)
		if c.cfg.IDTokenHint && ts != nil && ts.IDToken != "" {
			q.Set("id_token_hint", ts.IDToken)
		}
	default:
		return c.cfg.PostLogoutRedirectURI
	}
	return withQuery(ep, q)
}
