package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Refresh retry policy for transient failures (network errors, 5xx, 429).
const (
	refreshAttempts = 3
	retryBase       = 500 * time.Millisecond
	maxRetryAfter   = 10 * time.Second
	maxTokenSetSize = 64 << 10
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
	ts, err := c.Session(ctx, opts)
	if err != nil {
		return "", err
	}
	if c.cfg.UseIDToken {
		if ts.IDToken == "" {
			return "", newError(CodeLoginRequired, "no ID token in the session (is openid in the scope?)")
		}
		return ts.IDToken, nil
	}
	return ts.AccessToken, nil
}

// Session returns a fresh token set, refreshing it when needed; see
// [Client.Token].
func (c *Client) Session(ctx context.Context, opts TokenOptions) (*TokenSet, error) {
	gen := c.generation()
	ts, err := c.loadTokens()
	if err != nil {
		return nil, err
	}
	if ts == nil {
		return nil, newError(CodeLoginRequired, "not logged in")
	}
	if err := c.checkRefreshLifetime(ts); err != nil {
		return nil, err
	}
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

// refreshShared joins the refresh in flight or starts one.
func (c *Client) refreshShared(ctx context.Context, seen string, force bool) (*TokenSet, error) {
	c.mu.Lock()
	if f := c.flight; f != nil {
		c.mu.Unlock()
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

	// The refresh outlives a caller that gives up: others wait for it.
	f.ts, f.err = c.refreshLocked(context.WithoutCancel(ctx), seen, force)

	c.mu.Lock()
	c.flight = nil
	c.mu.Unlock()
	close(f.done)
	return f.ts, f.err
}

// refreshLocked takes the lock, re-reads storage (another tab may have
// refreshed already) and refreshes only if the tokens are still the stale
// ones this caller saw.
func (c *Client) refreshLocked(ctx context.Context, seen string, force bool) (*TokenSet, error) {
	var out *TokenSet
	var events []Event
	err := c.opts.Locker.WithLock(ctx, c.LockName(), func(ctx context.Context) error {
		var err error
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

func (c *Client) refresh(ctx context.Context, seen string, force bool) (*TokenSet, []Event, error) {
	ts, err := c.loadTokens()
	if err != nil {
		return nil, nil, err
	}
	if ts == nil {
		return nil, nil, newError(CodeLoginRequired, "not logged in")
	}
	if ts.AccessToken != seen && c.fresh(ts) {
		return ts, nil, nil // someone else refreshed while we waited
	}
	if ts.RefreshToken == "" {
		return nil, nil, newError(CodeLoginRequired, "the access token expired and there is no refresh token")
	}
	if err := c.checkRefreshLifetime(ts); err != nil {
		return nil, nil, err
	}
	sent := ts.RefreshToken
	recovered := false
	for attempt := 1; ; attempt++ {
		now := c.opts.Now()
		tr, err := c.tokenRequest(ctx, url.Values{
			"grant_type":    {"refresh_token"},
			"refresh_token": {sent},
			"client_id":     {c.cfg.ClientID},
		})
		if err == nil {
			next := c.newTokenSet(tr, now)
			next.LoginAt = ts.LoginAt
			if next.RefreshToken == "" {
				next.RefreshToken = sent // Cognito: the old one stays valid (RFC 6749 §6)
			}
			if next.IDToken == "" {
				next.IDToken = ts.IDToken
			} else if err := sameSubject(ts.IDToken, next.IDToken); err != nil {
				c.removeTokens()
				return nil, []Event{{Type: EventLoginRequired, Code: CodeInvalidIDToken}}, err
			}
			if next.Scope == "" {
				next.Scope = ts.Scope
			}
			// The rotated refresh token is stored before anyone sees the
			// new access token (checklist 10).
			if err := c.storeTokens(next); err != nil {
				return nil, nil, err
			}
			return next, []Event{{Type: EventTokensChanged, ExpiresAt: next.Expiry()}}, nil
		}
		var e *Error
		errors.As(err, &e)
		switch {
		case e.Code == CodeNetworkError && attempt < refreshAttempts:
			d := retryBase << (attempt - 1)
			if ra := time.Duration(e.RetryAfter) * time.Second; ra > d {
				d = min(ra, maxRetryAfter)
			}
			if err := c.opts.Sleep(ctx, d); err != nil {
				return nil, nil, wrapError(CodeNetworkError, "refresh cancelled", err)
			}
			continue
		case e.Code == CodeInvalidGrant:
			// Another tab may have rotated the refresh token under us
			// between our read and the provider's answer: use its newer one.
			cur, _ := c.loadTokens()
			if cur != nil && cur.RefreshToken != sent && cur.RefreshToken != "" && !recovered {
				recovered = true
				if c.fresh(cur) {
					return cur, nil, nil
				}
				ts, sent = cur, cur.RefreshToken
				continue
			}
			c.removeTokens()
			return nil, []Event{{Type: EventLoginRequired, Code: CodeInvalidGrant}},
				&Error{Code: CodeLoginRequired, Description: e.Description, Status: e.Status, msg: "the provider refused the refresh token; log in again", err: e}
		case e.Code == CodeNetworkError && !force && c.opts.Now().Before(ts.Expiry()):
			// Within the margin but not yet expired: keep serving the token
			// rather than fail; the next call tries again.
			return ts, nil, nil
		}
		return nil, nil, err
	}
}

// sameSubject checks that a refreshed ID token keeps iss and sub
// (OpenID Connect Core §12.2).
func sameSubject(oldTok, newTok string) error {
	nc, err := DecodeClaims(newTok)
	if err != nil {
		return wrapError(CodeInvalidIDToken, "the refreshed ID token does not decode", err)
	}
	if oldTok == "" {
		return nil
	}
	oc, err := DecodeClaims(oldTok)
	if err != nil {
		return nil
	}
	if oc["iss"] != nc["iss"] || oc["sub"] != nc["sub"] {
		return newError(CodeInvalidIDToken, "the refreshed ID token names another issuer or subject (OpenID Connect Core §12.2)")
	}
	return nil
}

// checkRefreshLifetime refuses a session whose refresh token is past its
// configured lifetime, before it is sent, and announces it once when it is
// within a day (or a tenth of its lifetime) of expiring.
func (c *Client) checkRefreshLifetime(ts *TokenSet) error {
	exp, ok := c.refreshExpiry(ts)
	if !ok {
		return nil
	}
	now := c.opts.Now()
	if !now.Before(exp) {
		if !c.fresh(ts) {
			c.removeTokens()
			c.emit(Event{Type: EventLoginRequired, Code: CodeLoginRequired})
			return newError(CodeLoginRequired, "the refresh token is past its lifetime; log in again")
		}
		return nil
	}
	warn := min(24*time.Hour, c.cfg.RefreshTokenLifetime/10)
	if left := exp.Sub(now); left > warn {
		// Announce it when the window opens, even if nobody calls.
		c.mu.Lock()
		arm := c.armed != ts.LoginAt
		c.armed = ts.LoginAt
		c.mu.Unlock()
		if arm {
			c.opts.AfterFunc(left-warn, func() {
				if cur, err := c.loadTokens(); err == nil && cur != nil {
					c.checkRefreshLifetime(cur)
				}
			})
		}
		return nil
	}
	c.mu.Lock()
	first := c.warned != ts.LoginAt
	c.warned = ts.LoginAt
	c.mu.Unlock()
	if first {
		c.emit(Event{Type: EventRefreshTokenExpiring, ExpiresAt: exp})
	}
	return nil
}

// refreshExpiry is when the refresh token expires by the configured
// lifetime, counted from the login that issued it.
func (c *Client) refreshExpiry(ts *TokenSet) (time.Time, bool) {
	if c.cfg.RefreshTokenLifetime == 0 || ts.RefreshToken == "" || ts.LoginAt == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(ts.LoginAt).Add(c.cfg.RefreshTokenLifetime), true
}

// SessionInfo describes the session without revealing any token.
type SessionInfo struct {
	LoggedIn              bool   `json:"loggedIn"`
	ExpiresAt             int64  `json:"expiresAt,omitempty"`             // ms
	RefreshTokenExpiresAt int64  `json:"refreshTokenExpiresAt,omitempty"` // ms
	HasRefreshToken       bool   `json:"hasRefreshToken"`
	Scope                 string `json:"scope,omitempty"`
}

// Info returns what the page may show about the session. Like [Client.Token]
// it announces a refresh token near the end of its configured lifetime and
// ends a session whose refresh token is past it.
func (c *Client) Info() (SessionInfo, error) {
	ts, err := c.loadTokens()
	if err != nil || ts == nil {
		return SessionInfo{}, err
	}
	if c.checkRefreshLifetime(ts) != nil {
		return SessionInfo{}, nil // past its lifetime: removed, logged out
	}
	info := SessionInfo{LoggedIn: true, ExpiresAt: ts.ExpiresAt, HasRefreshToken: ts.RefreshToken != "", Scope: ts.Scope}
	if exp, ok := c.refreshExpiry(ts); ok {
		info.RefreshTokenExpiresAt = exp.UnixMilli()
	}
	return info, nil
}

// loadTokens reads the token set; nil without error means logged out. A
// corrupt entry is removed and reported as login_required.
func (c *Client) loadTokens() (*TokenSet, error) {
	raw, ok, err := c.opts.TokenStorage.Get(c.tokensKey())
	if err != nil {
		return nil, wrapError(CodeStorageError, "cannot read the tokens", err)
	}
	if !ok {
		return nil, nil
	}
	var ts TokenSet
	if len(raw) > maxTokenSetSize || json.Unmarshal([]byte(raw), &ts) != nil || ts.V != 1 || ts.AccessToken == "" || ts.ExpiresAt == 0 {
		c.removeTokens()
		return nil, newError(CodeLoginRequired, "the stored tokens were unreadable and have been removed")
	}
	return &ts, nil
}

func (c *Client) storeTokens(ts *TokenSet) error {
	data, _ := json.Marshal(ts)
	c.changed(nil) // withdrawn while the write is under way
	if err := c.opts.TokenStorage.Set(c.tokensKey(), string(data)); err != nil {
		c.changed(nil) // what is stored now is unknown
		return wrapError(CodeStorageError, "cannot store the tokens", err)
	}
	c.changed(ts)
	return nil
}

func (c *Client) removeTokens() {
	c.changed(nil)
	c.opts.TokenStorage.Remove(c.tokensKey())
	c.changed(nil)
}

// Claims returns the claims of the ID token, or of the access token when
// there is no ID token and it is a JWT (Cognito without openid), or nil.
// The signature is not checked here: use the claims for display only.
func (c *Client) Claims() (map[string]any, error) {
	ts, err := c.loadTokens()
	if err != nil || ts == nil {
		return nil, err
	}
	for _, tok := range []string{ts.IDToken, ts.AccessToken} {
		if tok == "" {
			continue
		}
		if claims, err := DecodeClaims(tok); err == nil {
			return claims, nil
		}
	}
	return nil, nil
}

// DecodeClaims decodes a JWT's claims without verifying it. Numbers stay
// json.Number so that large integers are not rounded; string claims such as
// SmartTask's "user_id" stay strings.
func DecodeClaims(token string) (map[string]any, error) {
	claims := jwt.MapClaims{}
	_, _, err := jwt.NewParser(jwt.WithJSONNumber()).ParseUnverified(token, claims)
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// Logout forgets the tokens and returns where to send the browser: the
// provider's logout endpoint when configured (Cognito: client_id and
// logout_uri; OpenID Connect RP-initiated logout: client_id and
// post_logout_redirect_uri), or the post-logout URI. No token is put in the
// URL (RFC 9700 §4.3.2), so id_token_hint is not sent.
func (c *Client) Logout() (string, error) {
	c.removeTokens()
	c.emit(Event{Type: EventLoggedOut})
	q := url.Values{"client_id": {c.cfg.ClientID}}
	var ep string
	switch {
	case c.cfg.LogoutEndpoint != "":
		ep = c.cfg.LogoutEndpoint
		q.Set("logout_uri", c.cfg.PostLogoutRedirectURI)
	case c.cfg.EndSessionEndpoint != "":
		ep = c.cfg.EndSessionEndpoint
		q.Set("post_logout_redirect_uri", c.cfg.PostLogoutRedirectURI)
	default:
		return c.cfg.PostLogoutRedirectURI, nil
	}
	return withQuery(ep, q), nil
}

// ForgetRefreshToken removes the refresh token from the stored token set and
// keeps the access token until it expires. A duplicated browser tab calls
// it at start-up, before any refresh: its session storage is a copy of a
// live tab's, and sending the copied refresh token after the original
// rotated it would make a rotating provider revoke the grant of both
// (RFC 9700 §4.14.2). It takes no lock, so a [Locker] may call it.
func (c *Client) ForgetRefreshToken() error {
	ts, err := c.loadTokens()
	if err != nil || ts == nil || ts.RefreshToken == "" {
		return err
	}
	ts.RefreshToken = ""
	return c.storeTokens(ts)
}
