package oauth

// Rotation recovery. A rotating provider (Azure AD B2C, RFC 9700 §4.14.2)
// issues a new refresh token on each refresh and refuses the old one with
// invalid_grant. Two holders of the same storage are serialised by the
// [Locker], but a holder without a working lock (no Web Locks) can still
// send a refresh token that another tab has just rotated. Before it gives
// up the session on invalid_grant, the refresh re-reads storage: a newer
// refresh token there means someone else rotated it, and that one is used
// (once) instead.

// rotatedElsewhere returns the stored token set when it holds a refresh
// token other than sent, that is, when another holder of the storage
// rotated the refresh token after this one was read.
func (c *Client) rotatedElsewhere(sent string) (*TokenSet, bool) {
	cur, _ := c.loadTokens()
	if cur == nil || cur.RefreshToken == "" || cur.RefreshToken == sent {
		return nil, false
	}
	return cur, true
}
