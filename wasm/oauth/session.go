package oauth

// Session describes the session as the page may see it (JavaScript
// getSession()): it never holds a token.
type Session struct {
	LoggedIn              bool   `json:"loggedIn"`
	ExpiresAt             int64  `json:"expiresAt,omitempty"`             // ms
	RefreshTokenExpiresAt int64  `json:"refreshTokenExpiresAt,omitempty"` // ms
	HasRefreshToken       bool   `json:"hasRefreshToken"`
	Scope                 string `json:"scope,omitempty"`
	// DPoPJKT is the thumbprint (RFC 7638) of the key the tokens are bound
	// to, never the key; empty for Bearer tokens.
	DPoPJKT string `json:"dpopJkt,omitempty"`
}

// Session reports the stored session without changing it: no request, no
// event, nothing removed. A session whose refresh token is past its
// configured lifetime and whose access token is no longer fresh is
// reported as logged out; the next [Client.Token] removes it.
func (c *Client) Session() (Session, error) {
	ts, err := c.loadTokens()
	if err != nil || ts == nil {
		return Session{}, err
	}
	return c.sessionOf(ts), nil
}

// sessionOf is the session ts describes.
func (c *Client) sessionOf(ts *TokenSet) Session {
	l := c.refreshTokenLifetime(ts)
	if l.expired(c.opts.Now()) && !c.fresh(ts) {
		return Session{}
	}
	s := Session{LoggedIn: true, ExpiresAt: ts.ExpiresAt, HasRefreshToken: ts.CanRefresh(), Scope: ts.Scope, DPoPJKT: ts.JKT}
	if l.known {
		s.RefreshTokenExpiresAt = l.expiresAt.UnixMilli()
	}
	return s
}
