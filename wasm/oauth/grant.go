package oauth

import (
	"context"
	"time"
)

// Session identity and the session lock. A stored token set belongs to one
// grant, the login that issued it: the callback mints a random grant id for
// each login and keeps it in the set (TokenSet.Grant), and each refresh
// stored for that grant counts one more generation (TokenSet.Gen).
//
// The ordering rule: a refresh stores its result only if the stored set is
// still the one it refreshed (the same grant and generation), checked
// under the session lock; logout and the callback's store take the same
// lock ([Client.LockName], a Web Lock across tabs), so a refresh in flight
// either ends before them or finds their result and discards its own
// (RFC 9700 §4.14.2 leaves rotation races to the client).

// SessionLockWait bounds how long logout and the callback wait for the
// session lock, which a refresh holds for its round trip. A refresh in a
// frozen tab can hold a Web Lock indefinitely: past this wait, logout and
// the callback go ahead without the lock, and the grant check still keeps
// the refresh from storing over them.
const SessionLockWait = 5 * time.Second

// sessionLockWait is [SessionLockWait]; tests shorten it.
var sessionLockWait = SessionLockWait

// sameSession reports whether cur is the stored form of the session ts was
// read as: the same grant and the same generation.
func sameSession(cur, ts *TokenSet) bool {
	return cur != nil && ts != nil && cur.Grant == ts.Grant && cur.Gen == ts.Gen
}

// withSessionLock runs fn under the session lock, waiting for it at most
// [SessionLockWait] (and no longer than ctx allows). fn receives ctx, not
// the bounded wait. ran reports whether fn ran; when it did not, the lock
// could not be taken in time and the caller decides what to do unlocked.
func (c *Client) withSessionLock(ctx context.Context, fn func(ctx context.Context) error) (ran bool, err error) {
	wait, cancel := context.WithTimeout(ctx, sessionLockWait)
	defer cancel()
	err = c.opts.Locker.WithLock(wait, c.LockName(), func(context.Context) error {
		ran = true
		return fn(ctx)
	})
	return ran, err
}

// removeSession removes the stored set only while it is still the session
// ts was read as: a refusal of an older grant's refresh token never ends
// the session a newer login stored meanwhile.
func (c *Client) removeSession(ts *TokenSet) {
	if cur, err := c.loadTokens(); err == nil && !sameSession(cur, ts) {
		return
	}
	c.removeTokens()
}

// newGrantID is a fresh grant id: 128 random bits, base64url.
func (c *Client) newGrantID() (string, error) {
	g, err := randomString(c.opts.Rand, 16)
	if err != nil {
		return "", wrapError(CodeInternalError, "no random source for the grant id", err)
	}
	return g, nil
}
