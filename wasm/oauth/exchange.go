package oauth

import (
	"context"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
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
//
// grant is the new session's grant id (grant.go); a token handler seals it
// into its cookie.
func (c *Client) exchange(ctx context.Context, code string, p *pendingLogin, prov *providerInfo, grant string) (*TokenSet, error) {
	form := weburl.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {p.RedirectURI},
		"client_id":     {c.cfg.ClientID},
		"code_verifier": {p.Verifier},
	}
	if c.cfg.TokenHandler != "" {
		form.Set(protocol.GrantParam, grant)
	}
	var key DPoPKey
	if p.JKT != "" {
		var err error
		if key, err = c.opts.DPoPKeys.Load(ctx, p.JKT); err != nil {
			return nil, wrapError(CodeStorageError, "cannot read the login's DPoP key", err)
		}
		if key == nil {
			return nil, NewError(CodeInvalidLoginState, "the DPoP key made for this login is gone (logged out in another tab, or the site's data was cleared); start the login again")
		}
	}
	if c.cfg.BFF != "" && p.Nonce != "" {
		form.Set("nonce", p.Nonce) // the server verifies the ID token it keeps
	}
	now := c.opts.Now()
	tr, err := c.tokenRequest(ctx, form, key)
	if err != nil {
		return nil, err
	}
	bound, err := c.dpopTokenType(tr, key != nil)
	if err != nil {
		return nil, err
	}
	ts := c.newTokenSet(tr, now)
	ts.LoginAt = now.UnixMilli()
	ts.Grant = grant
	if bound {
		ts.JKT = p.JKT
	}
	switch {
	case c.cfg.BFF != "":
		c.withBFFSession(ctx, ts, "")
	case p.Nonce == "":
		ts.IDToken = "" // not asked for, not verified: not kept
	case ts.IDToken == "":
		return nil, idTokenError(CheckPresent, "the login asked for openid and the token response has no ID token")
	default:
		want := IDTokenExpect{Nonce: p.Nonce, MaxAge: p.MaxAge, ACR: strings.Fields(p.ACR)}
		if _, err := c.verifier(prov).Verify(ctx, ts.IDToken, want); err != nil {
			return nil, err
		}
	}
	return ts, nil
}
