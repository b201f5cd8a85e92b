package oauth

import (
	"context"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// exchange redeems the code (RFC 6749 §4.1.3, RFC 7636 §4.5). It is never
// retried: a code is single use, and a second attempt after a lost response
// would be refused anyway and could revoke the grant.
//
// When the login asked for openid, the ID token is verified (OpenID Connect
// Core §3.1.3.7) before anything is stored: a response without one, or
// with one that fails a check, is refused. An ID token the login did not
// ask for is not kept.
func (c *Client) exchange(ctx context.Context, code string, p *pendingLogin, prov *providerInfo) (*TokenSet, error) {
	form := weburl.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {p.RedirectURI},
		"client_id":     {c.cfg.ClientID},
		"code_verifier": {p.Verifier},
	}
	if c.cfg.BFF != "" && p.Nonce != "" {
		form.Set("nonce", p.Nonce) // the server verifies the ID token it keeps
	}
	now := c.opts.Now()
	tr, err := c.tokenRequest(ctx, form)
	if err != nil {
		return nil, err
	}
	ts := c.newTokenSet(tr, now)
	ts.LoginAt = now.UnixMilli()
	switch {
	case c.cfg.BFF != "":
		c.withBFFSession(ctx, ts, "")
	case p.Nonce == "":
		ts.IDToken = "" // not asked for, not verified: not kept
	case ts.IDToken == "":
		return nil, idTokenError(CheckPresent, "the login asked for openid and the token response has no ID token")
	default:
		if _, err := c.verifier(prov).Verify(ctx, ts.IDToken, IDTokenExpect{Nonce: p.Nonce}); err != nil {
			return nil, err
		}
	}
	return ts, nil
}
