package oauth

import "time"

// The current token, published for callers that answer without entering
// the client (the browser loader's fast path).
//
// [Options.OnToken] receives the token [Client.Token] would return and the
// moment it stops being fresh by the client's own freshness rule, or ""
// when nothing may be served any more. The client publishes whenever the
// stored session changes through it (login, refresh, logout, a session
// cleared after a refused or expired refresh token), when [Client.Token]
// finds a fresh token in storage, and when the embedder reports a change
// made elsewhere ([Client.Invalidate]: another tab's broadcast).
//
// The invariant: a token published here is never served past its
// deadline, and is withdrawn before the client itself would stop serving
// it. A read that raced with a change is not published: every change
// bumps a generation, and a token read before it is dropped.

// freshUntil is when the token stops being fresh (the one freshness rule:
// fresh and the published deadline both derive from it): its expiry minus the
// refresh margin (RFC 6749 §5.1 expires_in, counted from receipt), which
// never exceeds half the lifetime the token was issued with (refreshMargin).
func (c *Client) freshUntil(ts *TokenSet) time.Time {
	return ts.Expiry().Add(-c.refreshMargin(ts))
}

// served is the token of ts that [Client.Token] returns.
func (c *Client) served(ts *TokenSet) string {
	if c.cfg.BFF != "" {
		return "" // the server keeps every token: nothing is published
	}
	if c.cfg.UseIDToken {
		return ts.IDToken
	}
	return ts.AccessToken
}

// generation is read before a storage read whose result may be published.
func (c *Client) generation() uint64 {
	c.pubMu.Lock()
	defer c.pubMu.Unlock()
	return c.gen
}

// changed records a change of the stored session and publishes ts (nil:
// no session).
func (c *Client) changed(ts *TokenSet) {
	c.pubMu.Lock()
	defer c.pubMu.Unlock()
	c.gen++
	c.publishLocked(ts)
}

// publishRead publishes ts, read from storage at generation gen, unless
// the session changed since.
func (c *Client) publishRead(gen uint64, ts *TokenSet) {
	c.pubMu.Lock()
	defer c.pubMu.Unlock()
	if gen == c.gen {
		c.publishLocked(ts)
	}
}

func (c *Client) publishLocked(ts *TokenSet) {
	if c.opts.OnToken == nil {
		return
	}
	if ts == nil || c.served(ts) == "" {
		if c.opts.OnSession != nil {
			c.opts.OnSession(Session{})
		}
		c.opts.OnToken("", time.Time{})
		return
	}
	if c.opts.OnSession != nil {
		c.opts.OnSession(c.sessionOf(ts))
	}
	c.opts.OnToken(c.served(ts), c.freshUntil(ts))
}

// Invalidate withdraws the published token: the embedder learnt that the
// stored session changed outside this client (another tab logged out,
// refreshed or signed in). The next [Client.Token] reads storage again.
func (c *Client) Invalidate() { c.changed(nil) }
