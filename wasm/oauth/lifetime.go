package oauth

import "time"

// Refresh-token lifetime. Providers do not return the refresh token's
// expiry (RFC 6749 §5.1 has no field for it), so it is configured
// ([Config.RefreshTokenLifetime]) and counted from the login that issued
// the refresh token. The decision is refreshTokenLifetime, which only
// computes; the callers act on it: [Client.Tokens] ends an expired session
// before sending the refresh token, and announceRefreshTokenExpiry emits
// refresh_token_expiring once per login when the last day (or the last
// tenth of the lifetime) begins.

// lifetimeCheck is what the configured lifetime says about a token set.
type lifetimeCheck struct {
	known     bool      // a lifetime is configured and there is a refresh token
	expiresAt time.Time // when the refresh token expires
	warnFrom  time.Time // when refresh_token_expiring is due
}

// refreshTokenLifetime decides, without side effects, when ts's refresh
// token expires and when its expiry is to be announced.
func (c *Client) refreshTokenLifetime(ts *TokenSet) lifetimeCheck {
	if c.cfg.RefreshTokenLifetime == 0 || !ts.CanRefresh() || ts.LoginAt == 0 {
		return lifetimeCheck{}
	}
	exp := time.UnixMilli(ts.LoginAt).Add(c.cfg.RefreshTokenLifetime)
	warn := min(24*time.Hour, c.cfg.RefreshTokenLifetime/10)
	return lifetimeCheck{known: true, expiresAt: exp, warnFrom: exp.Add(-warn)}
}

// expired reports whether the refresh token is past its lifetime at now.
func (l lifetimeCheck) expired(now time.Time) bool { return l.known && !now.Before(l.expiresAt) }

// expiring reports whether now is in the announcement window.
func (l lifetimeCheck) expiring(now time.Time) bool {
	return l.known && !now.Before(l.warnFrom) && now.Before(l.expiresAt)
}

func errRefreshTokenExpired() *Error {
	return NewError(CodeLoginRequired, "the refresh token is past its lifetime; log in again")
}

// endIfRefreshTokenExpired ends a session that can no longer be used: its
// refresh token is past its lifetime and the access token is no longer
// fresh. The tokens are removed and login_required is emitted, so the
// expired refresh token is never sent.
func (c *Client) endIfRefreshTokenExpired(ts *TokenSet) error {
	if !c.refreshTokenLifetime(ts).expired(c.opts.Now()) || c.fresh(ts) {
		return nil
	}
	c.removeTokens()
	c.emit(Event{Type: EventLoginRequired, Code: CodeLoginRequired})
	return errRefreshTokenExpired()
}

// announceRefreshTokenExpiry emits refresh_token_expiring once per login
// when the window is open, or arms a timer (once per login) for when it
// opens, so that the page hears it even if nobody calls.
func (c *Client) announceRefreshTokenExpiry(ts *TokenSet) {
	l := c.refreshTokenLifetime(ts)
	now := c.opts.Now()
	switch {
	case l.expiring(now):
		c.mu.Lock()
		first := c.warned != ts.LoginAt
		c.warned = ts.LoginAt
		c.mu.Unlock()
		if first {
			c.emit(Event{Type: EventRefreshTokenExpiring, ExpiresAt: l.expiresAt})
		}
	case l.known && now.Before(l.warnFrom):
		c.mu.Lock()
		arm := c.armed != ts.LoginAt
		c.armed = ts.LoginAt
		c.mu.Unlock()
		if arm {
			c.opts.AfterFunc(l.warnFrom.Sub(now), c.WatchRefreshTokenLifetime)
		}
	}
}

// WatchRefreshTokenLifetime schedules refresh_token_expiring for the stored
// session (or emits it when its window is already open). The binding calls
// it at configure, for a session restored from storage; a login arms it
// itself.
func (c *Client) WatchRefreshTokenLifetime() {
	if ts, err := c.loadTokens(); err == nil && ts != nil {
		c.announceRefreshTokenExpiry(ts)
	}
}
