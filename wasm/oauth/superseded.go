package oauth

import (
	"context"
	"errors"
)

// supersededError reports that a refresh's result was not stored because
// the session it refreshed is no longer the stored one (grant.go). cur is
// what is stored instead, nil after a logout.
type supersededError struct{ cur *TokenSet }

func (e *supersededError) Error() string {
	return "gopkce: the session changed while its refresh was in flight"
}

// discardRefresh ends, as far as it can, what a discarded refresh result
// holds when the session it refreshed was ended (cur is nil: a logout) or
// replaced by another login (cur is another grant). With a token handler,
// after a logout, the handler's cookie that this refresh's answer may have
// set again is cleared and its refresh token revoked. Without one, the
// result's refresh token is revoked when a revocation endpoint is known
// (RFC 7009 §2.1): after a rotation it is a live token nobody holds. A
// result of the same grant (another holder refreshed first, without the
// lock) is only dropped: its refresh token may be the stored one.
func (c *Client) discardRefresh(ctx context.Context, prev, next, cur *TokenSet) {
	if cur != nil && cur.Grant == prev.Grant {
		return
	}
	if c.cfg.TokenHandler != "" {
		if cur == nil {
			c.logoutAtHandler(ctx)
		}
		return
	}
	if next.RefreshToken == "" || cur != nil && cur.RefreshToken == next.RefreshToken {
		return
	}
	if p := c.knownProvider(); p != nil && p.revocationEndpoint != "" {
		c.revoke(ctx, p.revocationEndpoint, next.RefreshToken, "refresh_token")
	}
}

// isStorageError reports whether err is a storage_error: the storage could
// not be read, which says nothing about the session.
func isStorageError(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeStorageError
}
