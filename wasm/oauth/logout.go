package oauth

import (
	"context"
	"errors"

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
// logged_out is emitted, whatever happens next, so the page reads
// loggedIn: false at once. Then, under the session lock (grant.go; waited
// for at most [SessionLockWait]), a set that a refresh in flight stored
// for the same grant meanwhile is removed too, and the provider is told:
// when a revocation endpoint is known (configured, from a preset, or from
// the discovery document, read within [RevokeTimeout] when this tab has
// none cached) and the session had a refresh token, the newest refresh
// token is revoked there (RFC 7009 §2.1, token_type_hint refresh_token)
// with a short timeout, so that the grant ends at the provider too. When
// revocation could not even be attempted, RevokeError says why. Last, it
// returns where to send the browser: the provider's logout endpoint when
// there is one (Cognito: client_id and logout_uri; OpenID Connect
// RP-initiated logout: client_id and post_logout_redirect_uri, and
// id_token_hint only when [Config.IDTokenHint] opts in, since the ID token
// then appears in a URL, RFC 9700 §4.3.2), or the post-logout URI. With a
// token handler ([Config.TokenHandler]) the handler revokes the refresh
// token it holds and clears its cookie instead; under the lock, its
// clearing cookie follows any refresh's.
func (c *Client) Logout(ctx context.Context) (*LogoutResult, error) {
	ts, _ := c.loadTokens() // an unreadable set is removed all the same
	c.removeTokens()
	if ts != nil && ts.JKT != "" {
		// The key goes with the session (RFC 9449 §2: nothing is left
		// that could prove possession later).
		c.opts.DPoPKeys.Delete(ctx, ts.JKT)
	}
	c.emit(Event{Type: EventLoggedOut})
	p, perr := c.logoutProvider(ctx)
	res := &LogoutResult{}
	end := func(ctx context.Context) error {
		// A refresh that read the set before the removal above may have
		// stored its result since: it belongs to the ended grant.
		if cur, _ := c.loadTokens(); cur != nil && ts != nil && cur.Grant == ts.Grant {
			c.removeTokens()
			ts = cur
		}
		c.endAtProvider(ctx, p, perr, ts, res)
		return nil
	}
	if ran, _ := c.withSessionLock(ctx, end); !ran {
		end(ctx) // a refresh holds the lock too long: its grant check discards its result
	}
	res.URL = c.logoutURL(p, ts)
	return res, nil
}

// logoutProvider is the provider as logout needs it: from the tab's cache,
// or the discovery document read within [RevokeTimeout]. When the document
// cannot be read, the configuration alone is used and the error returned.
func (c *Client) logoutProvider(ctx context.Context) (*providerInfo, error) {
	if p := c.knownProvider(); p != nil {
		return p, nil
	}
	ctx, cancel := context.WithTimeout(ctx, min(RevokeTimeout, c.cfg.Timeout))
	defer cancel()
	p, err := c.resolve(ctx)
	if err != nil {
		return c.staticProvider(), err
	}
	return p, nil
}

// endAtProvider ends the grant at the provider, or at the token handler,
// and records the outcome in res.
func (c *Client) endAtProvider(ctx context.Context, p *providerInfo, perr error, ts *TokenSet, res *LogoutResult) {
	switch {
	case c.cfg.TokenHandler != "":
		// The handler holds the refresh token: it revokes it (RFC 7009)
		// and clears its cookie.
		res.RevokeError = c.logoutAtHandler(ctx)
		res.Revoked = res.RevokeError == nil
	case ts == nil || ts.RefreshToken == "":
	case p.revocationEndpoint != "":
		// No DPoP proof, even for a bound refresh token: RFC 9449 defines
		// proofs for the token endpoint (§5) and resources (§7) only, and
		// RFC 7009 §2.1 asks a public client for its client_id alone.
		res.RevokeError = c.revoke(ctx, p.revocationEndpoint, ts.RefreshToken, "refresh_token")
		res.Revoked = res.RevokeError == nil
	case perr != nil:
		code := CodeNetworkError
		if e := (*Error)(nil); errors.As(perr, &e) {
			code = e.Code
		}
		res.RevokeError = wrapError(code, "the refresh token was not revoked: the discovery document, which names the revocation endpoint, could not be read", perr)
	}
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
