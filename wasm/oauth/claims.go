package oauth

import "context"

// Claims returns the claims of the session's ID token, or nil when there is
// none. The ID token was verified before it was stored (signature, iss,
// aud, azp, exp, iat, sub and nonce at login, OpenID Connect Core
// §3.1.3.7; continuity on refresh, §12.2): these claims are the provider's.
// They describe the login; exp is not checked again here.
func (c *Client) Claims() (map[string]any, error) {
	ts, err := c.loadTokens()
	if c.cfg.BFF != "" {
		// The backend for frontend verified the ID token it keeps.
		return bffClaims(ts), err
	}
	if err != nil || ts == nil || ts.IDToken == "" {
		return nil, err
	}
	claims, err := DecodeClaimsUnverified(ts.IDToken)
	if err != nil {
		return nil, nil
	}
	return claims, nil
}

// UnverifiedAccessTokenClaims returns the claims of the access token when
// it is a JWT (Cognito's; SmartTask puts email, user_id, full_name and
// avatar_url there), or nil. Nothing about them is verified: the access
// token is meant for the API, which verifies it; a client must not base an
// authorization decision on these claims.
func (c *Client) UnverifiedAccessTokenClaims() (map[string]any, error) {
	ts, err := c.loadTokens()
	if err != nil || ts == nil {
		return nil, err
	}
	claims, err := DecodeClaimsUnverified(ts.AccessToken)
	if err != nil {
		return nil, nil // an opaque access token
	}
	return claims, nil
}

// verifyRefreshed verifies the ID token of a refresh response against the
// session's (OpenID Connect Core §12.2). The stored one was verified when it
// was stored.
func (c *Client) verifyRefreshed(ctx context.Context, prevToken, next string) error {
	prov, err := c.resolve(ctx)
	if err != nil {
		return err
	}
	want := IDTokenExpect{Previous: map[string]any{}}
	if prevToken != "" {
		prev, err := DecodeClaimsUnverified(prevToken)
		if err != nil {
			// Checked alone, a token for another subject would pass.
			return idTokenError(CheckSub, "the session's ID token cannot be read, so the refreshed one cannot be compared with it (§12.2)")
		}
		want.Previous = prev
	}
	if len(want.Previous) == 0 {
		// No ID token in the session: the login did not ask for openid, and
		// this one cannot be compared with anything. Check it alone.
		want.Previous = nil
	}
	_, err = c.verifier(prov).Verify(ctx, next, want)
	return err
}
