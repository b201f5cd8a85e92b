package oauth

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/names"
)

// Options are the platform pieces a [Client] runs on. Zero fields get
// defaults: time.Now, in-memory storage and locks. Transport, Rand and
// SHA256 have none: the core links neither net/http nor any crypto package,
// which keeps the browser module small (the browser has fetch,
// crypto.getRandomValues and crypto.subtle.digest).
// [github.com/gopkce/gopkce/wasm/oauth/oauthhttp.Defaults] fills all three
// for native programs.
type Options struct {
	Transport Transport
	// LoginStorage holds pending logins: the tab's sessionStorage.
	LoginStorage Storage
	// TokenStorage holds the token set: per [Config.Storage].
	TokenStorage Storage
	// Locker serialises refreshes across every holder of TokenStorage.
	Locker Locker
	// Redeemer makes a callback's code be exchanged once across tabs that
	// hold copies of the same login state (duplicated tabs).
	Redeemer Redeemer
	Now      func() time.Time
	// Rand is a cryptographically secure random source: the PKCE
	// verifier, state and nonce come from it (RFC 7636 §7.1).
	Rand io.Reader
	// SHA256 hashes the PKCE verifier for the S256 challenge
	// (RFC 7636 §4.2). It may wait (WebCrypto is asynchronous).
	SHA256 func(ctx context.Context, data []byte) ([32]byte, error)
	// Sleep waits between refresh retries; it returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnEvent is called (synchronously, without locks held) for each [Event].
	OnEvent func(Event)
	// AfterFunc runs f after d (time.AfterFunc); it schedules the
	// refresh_token_expiring event.
	AfterFunc func(d time.Duration, f func())
	// Signatures verifies ID token signatures: WebCrypto in the browser,
	// [github.com/gopkce/gopkce/wasm/oauth/oauthjwt] natively. Required
	// when the scope has openid.
	Signatures SignatureVerifier
	// Keys replaces the key set fetched from jwks_uri (tests, pinned keys).
	Keys KeySource
	// OnToken receives the current token and the moment it stops being
	// fresh, or "" when none may be served (see [Client.Invalidate]). It is
	// called synchronously, in order, and must not call the client.
	OnToken func(token string, freshUntil time.Time)
	// PageOrigin is the serialised origin of the page that starts logins
	// (location.origin in the browser), or "" where there is no page.
	// When set, StartLogin refuses a redirect URI on another origin: the
	// login state lives in the page origin's sessionStorage, so the
	// callback there could not find it (see [Client.StartLogin]).
	PageOrigin string
	// OnSession, when set, receives the session [Client.Session] would
	// report for the token published to OnToken, right before each
	// publication (the zero Session with a withdrawal), under the same
	// rules.
	OnSession func(Session)
	// DPoPKeys makes, keeps and signs with the DPoP keys; required when
	// [Config.DPoP] is on.
	DPoPKeys DPoPKeyStore
	// DPoPNonces keeps each server's last DPoP nonce (RFC 9449 §8), shared
	// by every tab in the browser; default in memory.
	DPoPNonces Storage
}

// Event types reported through [Options.OnEvent].
const (
	EventTokensChanged        = "tokens_changed"
	EventLoginRequired        = "login_required"
	EventRefreshTokenExpiring = "refresh_token_expiring"
	EventLoggedOut            = "logged_out"
)

// Event tells the page what happened to the session. It never carries a
// token.
type Event struct {
	Type string
	// ExpiresAt is the access token's expiry (tokens_changed) or the refresh
	// token's (refresh_token_expiring).
	ExpiresAt time.Time
	// Code is the error code behind login_required.
	Code string
}

// Client runs the flow for one configuration. It is safe for concurrent use.
type Client struct {
	cfg  Config
	opts Options

	mu     sync.Mutex
	flight *flightCall
	// warned and armed hold the LoginAt of the session whose refresh token
	// was announced as expiring, or whose announcement is scheduled.
	warned, armed int64
	// joined, when set (by tests), is called each time a caller starts or
	// joins a refresh flight: a deterministic barrier.
	joined func()

	// The provider: static, or from the discovery document (provider.go).
	static     *providerInfo
	discovery  *remoteDoc
	merged     *providerInfo
	mergedFrom *ProviderMetadata
	keys       *RemoteKeys
	keysURI    string
	// pubMu orders publications to [Options.OnToken]; gen counts changes
	// of the stored session.
	pubMu sync.Mutex
	gen   uint64
	// dpopSkew is the server's clock minus the device's, once a proof was
	// refused for its iat (dpop.go).
	dpopSkew time.Duration
	// userinfo is the last UserInfo answer (userinfo.go).
	userinfo *userinfoCache
}

// NewClient returns a client for cfg, which must have been validated by
// [ParseConfig] or [Config.Validate].
func NewClient(cfg Config, opts Options) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Transport == nil {
		return nil, NewError(CodeInvalidConfig, "no HTTP transport")
	}
	if opts.LoginStorage == nil {
		opts.LoginStorage = NewMemoryStorage()
	}
	if opts.TokenStorage == nil {
		opts.TokenStorage = NewMemoryStorage()
	}
	if opts.Locker == nil {
		opts.Locker = NewMemoryLocker()
	}
	if opts.Redeemer == nil {
		opts.Redeemer = NewMemoryRedeemer()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		return nil, NewError(CodeInvalidConfig, "no random source (Options.Rand)")
	}
	if opts.SHA256 == nil {
		return nil, NewError(CodeInvalidConfig, "no SHA-256 (Options.SHA256)")
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.AfterFunc == nil {
		opts.AfterFunc = func(d time.Duration, f func()) { time.AfterFunc(d, f) }
	}
	if cfg.DPoP != DPoPOff && opts.DPoPKeys == nil {
		return nil, NewError(CodeInvalidConfig, "dpop is on and there is no DPoP key store (Options.DPoPKeys; natively oauthjwt.NewDPoPKeys)")
	}
	if opts.DPoPNonces == nil {
		opts.DPoPNonces = NewMemoryStorage()
	}
	if cfg.hasOpenID() && opts.Signatures == nil {
		return nil, NewError(CodeInvalidConfig, "openid is in the scope and there is no signature verifier for ID tokens (Options.Signatures; natively oauthjwt.Verifier)")
	}
	c := &Client{cfg: cfg, opts: opts}
	if cfg.Discovery {
		c.discovery = newDiscovery(cfg.DiscoveryURL, cfg.Issuer, opts.Transport, opts.LoginStorage, opts.Now, cfg.Timeout)
	} else {
		c.static = c.staticProvider()
		c.static.keys = c.keySource(cfg.JWKSURI)
	}
	return c, nil
}

// Config returns the client's validated configuration.
func (c *Client) Config() Config { return c.cfg }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) emit(e Event) {
	if c.opts.OnEvent != nil {
		c.opts.OnEvent(e)
	}
}

// SessionKey names this client and provider ("clientId@issuer", or the
// token endpoint without an issuer): storage keys, the lock and the
// cross-tab channel derive from it, so two configurations never share them.
func (c *Client) SessionKey() string { return c.cfg.sessionKey() }

// TokensKey is the key of this client's token set in its token storage.
func (c *Client) TokensKey() string { return c.tokensKey() }

// LockName is the name of the lock that serialises refreshes of this
// client's tokens (a Web Lock in the browser).
func (c *Client) LockName() string { return names.RefreshLockPrefix + c.cfg.sessionKey() }
