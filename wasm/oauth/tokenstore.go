package oauth

import (
	"strconv"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/internal/names"
)

// Token storage. The token set is kept as one JSON entry in the token
// storage ([Options.TokenStorage]: the tab's sessionStorage, IndexedDB
// shared by every tab, or memory), under a key named from the client and
// the issuer so that two configurations never read each other's tokens.

// maxTokenSetSize caps a stored token set; a bigger entry is unreadable.
const maxTokenSetSize = 64 << 10

// TokenSet is what is kept in token storage.
type TokenSet struct {
	V            int    `json:"v"`
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	// HandlerHeld: a token handler keeps this session's refresh token in
	// its cookie (RefreshToken is then empty).
	HandlerHeld bool `json:"handler_held,omitempty"`
	// ExpiresAt is local receipt time plus expires_in, in Unix milliseconds:
	// the device clock may be wrong, but its error cancels out.
	ExpiresAt int64 `json:"expires_at"`
	// LoginAt is when the login that issued the refresh token completed,
	// in Unix milliseconds: refresh-token lifetimes count from it.
	LoginAt int64 `json:"login_at"`
	// Lifetime is the access token's lifetime as issued (expires_in, or
	// the configured default), in milliseconds; 0 when the stored set
	// lacks it. The refresh margin never exceeds half of it.
	Lifetime int64 `json:"lifetime,omitempty"`
	// Grant identifies the login that issued this session (grant.go);
	// Gen counts the refreshes stored for it.
	Grant string `json:"grant,omitempty"`
	Gen   int64  `json:"gen,omitempty"`
	// JKT is the thumbprint of the DPoP key the tokens are bound to
	// (RFC 9449 §6.1), or empty for Bearer tokens.
	JKT string `json:"jkt,omitempty"`
	// BFFSession is a backend for frontend's view of the session (the
	// claims of the ID token it verified, its proxy routes) as JSON; the
	// access token is then its session handle ([Config.BFF]).
	BFFSession string `json:"bff_session,omitempty"`
}

// CanRefresh reports whether the session has a refresh token: in the token
// set, or held by the token handler.
func (t *TokenSet) CanRefresh() bool { return t.RefreshToken != "" || t.HandlerHeld }

// Expiry returns the access token's local expiry time.
func (t *TokenSet) Expiry() time.Time { return time.UnixMilli(t.ExpiresAt) }

func (c *Client) tokensKey() string { return names.TokensPrefix + c.cfg.sessionKey() }

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
	ts, ok := decodeTokens(raw)
	if !ok || ts.V != 1 || ts.AccessToken == "" || ts.ExpiresAt == 0 {
		c.removeTokens()
		return nil, NewError(CodeLoginRequired, "the stored tokens were unreadable and have been removed")
	}
	return ts, nil
}

// decodeTokens reads the stored form of a token set: a JSON object with
// TokenSet's member names, exactly spelled; unknown members are ignored
// and absent or null ones are zero, as encoding/json, which wrote the sets
// stored before, read them.
func decodeTokens(raw string) (*TokenSet, bool) {
	if len(raw) > maxTokenSetSize {
		return nil, false
	}
	o, err := jsonv.DecodeObject([]byte(raw))
	if err != nil {
		return nil, false
	}
	f := jsonv.Fields{Object: o}
	ts := &TokenSet{
		V: int(f.Int64("v")), AccessToken: f.String("access_token"), TokenType: f.String("token_type"),
		IDToken: f.String("id_token"), RefreshToken: f.String("refresh_token"), Scope: f.String("scope"),
		HandlerHeld: f.Bool("handler_held"), ExpiresAt: f.Int64("expires_at"), LoginAt: f.Int64("login_at"),
		Lifetime: f.Int64("lifetime"), Grant: f.String("grant"), Gen: f.Int64("gen"), JKT: f.String("jkt"),
		BFFSession: f.String("bff_session"),
	}
	return ts, f.Bad == ""
}

// encodeTokens is the stored form of ts: JSON without HTML escaping, so
// that a "<" in a token stays one byte instead of six ("\u003c"). It is
// byte for byte what encoding/json wrote before (its member order and
// omitempty rules).
func encodeTokens(ts *TokenSet) []byte {
	var o jsonv.Object
	o.Int("v", int64(ts.V))
	o.String("access_token", ts.AccessToken)
	o.String("token_type", ts.TokenType)
	if ts.IDToken != "" {
		o.String("id_token", ts.IDToken)
	}
	if ts.RefreshToken != "" {
		o.String("refresh_token", ts.RefreshToken)
	}
	if ts.Scope != "" {
		o.String("scope", ts.Scope)
	}
	if ts.HandlerHeld {
		o.Bool("handler_held", true)
	}
	o.Int("expires_at", ts.ExpiresAt)
	o.Int("login_at", ts.LoginAt)
	if ts.Lifetime != 0 {
		o.Int("lifetime", ts.Lifetime)
	}
	if ts.Grant != "" {
		o.String("grant", ts.Grant)
	}
	if ts.Gen != 0 {
		o.Int("gen", ts.Gen)
	}
	if ts.JKT != "" {
		o.String("jkt", ts.JKT)
	}
	if ts.BFFSession != "" {
		o.String("bff_session", ts.BFFSession)
	}
	return o.Bytes()
}

// storeTokens stores ts. A set whose stored form exceeds maxTokenSetSize is
// refused with invalid_response before anything is written, so the
// previous session stays untouched (it would be unreadable on the next
// read otherwise).
func (c *Client) storeTokens(ts *TokenSet) error {
	data := encodeTokens(ts)
	if len(data) > maxTokenSetSize {
		return NewError(CodeInvalidResponse, "the token response is too large to store ("+strconv.Itoa(len(data))+" bytes; at most "+strconv.Itoa(maxTokenSetSize)+")")
	}
	c.changed(nil) // withdrawn while the write is under way (current.go)
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
