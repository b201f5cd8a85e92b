package oauth

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// TokenOptions change one [Client.Token] call.
type TokenOptions struct {
	// ForceRefresh refreshes even if the token is still fresh.
	ForceRefresh bool
}

// Token returns the token to present to APIs: the access token (or the ID
// token when configured) while it is valid beyond the refresh margin;
// otherwise it refreshes first (RFC 6749 §6).
//
// Refreshes are single-flight: every concurrent caller in this client shares
// one refresh and gets the same result or the same error, and the refresh
// itself runs under the [Locker] so that other holders of the same token
// storage (other tabs) never send the same refresh token twice
// (RFC 9700 §4.14.2). Errors: login_required when there is no session or the
// provider refused the refresh token (tokens are then cleared);
// network_error for transient failures (tokens are kept).
func (c *Client) Token(ctx context.Context, opts TokenOptions) (string, error) {
	if c.cfg.BFF != "" {
		return "", errTokensOnServer()
	}
	ts, err := c.Tokens(ctx, opts)
	if err != nil {
		return "", err
	}
	return c.presented(ts)
}

// presented is the token of ts that APIs receive: the access token, or the
// ID token when [Config.UseIDToken] is set.
func (c *Client) presented(ts *TokenSet) (string, error) {
	if !c.cfg.UseIDToken {
		return ts.AccessToken, nil
	}
	if ts.IDToken == "" {
		return "", NewError(CodeLoginRequired, "no ID token in the session (is openid in the scope?)")
	}
	return ts.IDToken, nil
}

// Tokens returns a fresh token set, refreshing it when needed; see
// [Client.Token]. It is for native programs that need the whole set; the
// page sees only [Client.Token] and [Client.Session].
func (c *Client) Tokens(ctx context.Context, opts TokenOptions) (*TokenSet, error) {
	gen := c.generation()
	ts, err := c.loadTokens()
	if err != nil {
		return nil, err
	}
	if ts == nil {
		return nil, NewError(CodeLoginRequired, "not logged in")
	}
	if err := c.endIfRefreshTokenExpired(ts); err != nil {
		return nil, err
	}
	c.announceRefreshTokenExpiry(ts)
	if !opts.ForceRefresh && c.fresh(ts) {
		c.publishRead(gen, ts)
		return ts, nil
	}
	return c.refreshShared(ctx, ts.AccessToken, opts.ForceRefresh)
}

// fresh reports whether the access token is valid beyond the margin.
func (c *Client) fresh(ts *TokenSet) bool {
	return c.opts.Now().Before(c.freshUntil(ts))
}

// refreshMargin is the configured margin, but never more than half the
// lifetime ts was issued with: a token whose lifetime is at most twice the
// margin (a 60 s margin, a 90 s token) is still served for half its life
// instead of being refreshed on every call.
func (c *Client) refreshMargin(ts *TokenSet) time.Duration {
	m := max(c.cfg.RefreshMargin, 0)
	if ts.Lifetime > 0 {
		m = min(m, time.Duration(ts.Lifetime)*time.Millisecond/2)
	}
	return m
}

// flightCall is the refresh in flight in this client: callers that arrive
// while it runs wait for its result instead of starting another.
type flightCall struct {
	done chan struct{}
	ts   *TokenSet
	err  error
}

// refreshShared joins the refresh in flight or starts one.
func (c *Client) refreshShared(ctx context.Context, seen string, force bool) (ts *TokenSet, err error) {
	c.mu.Lock()
	if f := c.flight; f != nil {
		c.mu.Unlock()
		if c.joined != nil {
			c.joined()
		}
		select {
		case <-f.done:
			return f.ts, f.err
		case <-ctx.Done():
			return nil, wrapError(CodeNetworkError, "gave up waiting for the refresh", ctx.Err())
		}
	}
	f := &flightCall{done: make(chan struct{})}
	c.flight = f
	c.mu.Unlock()
	if c.joined != nil {
		c.joined()
	}

	// Whatever happens, even a panic, the flight ends and every waiter
	// gets its result: a refresh never leaves a caller waiting.
	defer func() {
		if r := recover(); r != nil {
			f.ts, f.err = nil, recovered(r)
			ts, err = f.ts, f.err
		}
		c.mu.Lock()
		c.flight = nil
		c.mu.Unlock()
		close(f.done)
	}()
	// The refresh outlives a caller that gives up: others wait for it.
	f.ts, f.err = c.refreshLocked(context.WithoutCancel(ctx), seen, force)
	return f.ts, f.err
}

// recovered turns a recovered panic into internal_error. Only a runtime
// error's text is kept: another panic value could hold a token.
func recovered(r any) *Error {
	msg := "a bug in gopkce interrupted the refresh"
	if re, ok := r.(runtime.Error); ok {
		msg += ": " + re.Error()
	}
	return NewError(CodeInternalError, msg)
}

// refreshLocked takes the lock, re-reads storage (another tab may have
// refreshed already) and refreshes only if the tokens are still the stale
// ones this caller saw.
func (c *Client) refreshLocked(ctx context.Context, seen string, force bool) (*TokenSet, error) {
	var out *TokenSet
	var events []Event
	err := c.opts.Locker.WithLock(ctx, c.LockName(), func(ctx context.Context) (err error) {
		// A panic is recovered inside the lock, so that the Locker
		// releases it (a Web Lock is held until its callback settles).
		defer func() {
			if r := recover(); r != nil {
				out, events, err = nil, nil, recovered(r)
			}
		}()
		out, events, err = c.refresh(ctx, seen, force)
		return err
	})
	for _, e := range events {
		c.emit(e)
	}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = wrapError(CodeNetworkError, "could not take the refresh lock", err)
		}
		return nil, err
	}
	return out, nil
}

// refresh runs under the lock: it re-reads the tokens, sends the refresh
// token (RFC 6749 §6) with the retry policy of retry.go, recovers from a
// rotation by another tab (rotation.go) and stores the result. It returns
// the events to emit once the lock is released.
func (c *Client) refresh(ctx context.Context, seen string, force bool) (*TokenSet, []Event, error) {
	ts, err := c.loadTokens()
	if err != nil {
		return nil, nil, err
	}
	if ts == nil {
		return nil, nil, NewError(CodeLoginRequired, "not logged in")
	}
	if ts.AccessToken != seen && c.fresh(ts) {
		return ts, nil, nil // someone else refreshed while we waited
	}
	if !ts.CanRefresh() {
		if force {
			return nil, nil, NewError(CodeLoginRequired, "forceRefresh: this session has no refresh token (the provider issued none, or this duplicated tab dropped its copy); log in again")
		}
		return nil, nil, NewError(CodeLoginRequired, "the access token expired and there is no refresh token")
	}
	if c.refreshTokenLifetime(ts).expired(c.opts.Now()) {
		c.removeSession(ts)
		return nil, []Event{{Type: EventLoginRequired, Code: CodeLoginRequired}}, errRefreshTokenExpired()
	}
	sent := ts.RefreshToken
	recovered, resumed := false, false
	for attempt := 1; ; attempt++ {
		// A bound refresh token goes with a proof of its key (RFC 9449 §5).
		key, err := c.sessionDPoPKey(ctx, ts)
		if err != nil {
			if e := (*Error)(nil); errors.As(err, &e) && e.Code == CodeLoginRequired {
				return nil, []Event{{Type: EventLoginRequired, Code: CodeLoginRequired}}, err
			}
			return nil, nil, err
		}
		now := c.opts.Now()
		form := weburl.Values{"grant_type": {"refresh_token"}, "client_id": {c.cfg.ClientID}}
		if sent != "" {
			form.Set("refresh_token", sent) // a token handler uses its cookie's
		}
		if c.cfg.TokenHandler != "" && ts.Grant != "" {
			form.Set(protocol.GrantParam, ts.Grant)
		}
		tr, err := c.tokenRequest(ctx, form, key)
		if err == nil {
			bound, err := c.dpopTokenType(tr, key != nil)
			if err != nil {
				return nil, nil, err // the session is kept
			}
			next, events, err := c.acceptRefresh(ctx, ts, sent, tr, now, bound)
			var sup *supersededError
			if !errors.As(err, &sup) {
				return next, events, err
			}
			// The session changed while the request was out (grant.go):
			// its result was discarded. What is stored now is served.
			switch cur := sup.cur; {
			case cur == nil:
				return nil, nil, NewError(CodeLoginRequired, "the session ended while its refresh was in flight (logout)")
			case c.fresh(cur):
				return cur, nil, nil
			case cur.CanRefresh() && !resumed:
				resumed = true
				ts, sent = cur, cur.RefreshToken
				continue
			case now.Before(cur.Expiry()):
				return cur, nil, nil
			}
			return nil, nil, NewError(CodeNetworkError, "the session changed while its refresh was in flight; try again")
		}
		var e *Error
		errors.As(err, &e)
		switch {
		case e.Code == CodeNetworkError:
			if d, again := retryDelay(attempt, e); again {
				if err := c.opts.Sleep(ctx, d); err != nil {
					return nil, nil, wrapError(CodeNetworkError, "refresh cancelled", err)
				}
				continue
			}
			if !force && c.opts.Now().Before(ts.Expiry()) {
				// Within the margin but not yet expired: keep serving the
				// token rather than fail; the next call tries again.
				return ts, nil, nil
			}
		case e.Code == CodeInvalidGrant:
			if !recovered {
				if cur, ok := c.rotatedElsewhere(sent); ok {
					recovered = true
					if c.fresh(cur) {
						return cur, nil, nil
					}
					ts, sent = cur, cur.RefreshToken
					continue
				}
			}
			c.removeSession(ts)
			return nil, []Event{{Type: EventLoginRequired, Code: CodeInvalidGrant}},
				&Error{Code: CodeLoginRequired, Description: e.Description, Status: e.Status, msg: "the provider refused the refresh token; log in again", err: e}
		}
		return nil, nil, err
	}
}

// acceptRefresh turns a refresh response into the token set to store: the
// refresh token, ID token and scope carry over when the response omits
// them, and a new ID token must name the same issuer and subject.
func (c *Client) acceptRefresh(ctx context.Context, prev *TokenSet, sent string, tr *tokenResponse, now time.Time, bound bool) (*TokenSet, []Event, error) {
	next := c.newTokenSet(tr, now)
	next.LoginAt = prev.LoginAt
	next.Grant, next.Gen = prev.Grant, prev.Gen+1
	if bound {
		next.JKT = prev.JKT
	}
	if next.RefreshToken == "" {
		next.RefreshToken = sent // Cognito: the old one stays valid (RFC 6749 §6)
	}
	next.HandlerHeld = next.HandlerHeld || prev.HandlerHeld && c.cfg.TokenHandler != ""
	if next.IDToken == "" {
		next.IDToken = prev.IDToken
	} else if err := c.verifyRefreshed(ctx, prev.IDToken, next.IDToken); err != nil {
		if e := (*Error)(nil); !errors.As(err, &e) || e.Code != CodeInvalidIDToken {
			// The key set or the discovery document could not be read (a
			// network failure, a provider answering 404): nothing was
			// refused, so the session goes on. The new ID token is dropped
			// unverified and the session's verified one stays, with the new
			// access and refresh tokens, which a rotating provider has
			// already made the only valid ones.
			next.IDToken = prev.IDToken
		} else {
			// A refused ID token ends the session (OpenID Connect Core §12.2).
			c.removeSession(prev)
			return nil, []Event{{Type: EventLoginRequired, Code: CodeInvalidIDToken}},
				&Error{Code: CodeLoginRequired, msg: "the refreshed ID token was refused; log in again", err: err}
		}
	}
	if next.Scope == "" {
		next.Scope = prev.Scope
	}
	if c.cfg.BFF != "" {
		c.withBFFSession(ctx, next, prev.BFFSession)
	}
	// Stored only over the session it refreshed (grant.go): a logout or a
	// new login while the request was out wins.
	// A storage that cannot be read now does not count as a change: the
	// result, whose refresh token may be the only valid one, is stored.
	if cur, err := c.loadTokens(); !isStorageError(err) && !sameSession(cur, prev) {
		c.discardRefresh(ctx, prev, next, cur)
		return nil, nil, &supersededError{cur: cur}
	}
	// The rotated refresh token is stored before anyone sees the new access
	// token: after a rotation it is the only one the provider still
	// accepts (RFC 9700 §4.14.2).
	if err := c.storeTokens(next); err != nil {
		return nil, nil, err
	}
	return next, []Event{{Type: EventTokensChanged, ExpiresAt: next.Expiry()}}, nil
}
