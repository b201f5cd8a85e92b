package oauth

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

const (
	loginPrefix = "gopkce:login:"
	// maxPendingLogins bounds the login attempts kept per tab; the oldest
	// is dropped first.
	maxPendingLogins = 5
	// LoginTimeout is how long a started login stays valid. Codes live 5
	// minutes (Cognito) once issued, but the user may take a while on the
	// provider's page first.
	LoginTimeout       = 15 * time.Minute
	maxLoginStateBytes = 4096
)

// pendingLogin is what [Client.StartLogin] stores, under loginPrefix+state.
// It deliberately holds no endpoint: the token endpoint always comes from
// the configuration, so rewriting storage cannot redirect the code.
type pendingLogin struct {
	V           int    `json:"v"`
	Verifier    string `json:"verifier"`
	Nonce       string `json:"nonce,omitempty"`
	Issuer      string `json:"issuer"`
	ClientID    string `json:"client_id"`
	RedirectURI string `json:"redirect_uri"`
	ReturnTo    string `json:"return_to"`
	Created     int64  `json:"created"` // Unix milliseconds
}

// StartLogin begins a login attempt: a fresh verifier, state and nonce are
// stored in the login storage keyed by state (RFC 6749 §10.12, RFC 7636
// §4.1), and the authorization URL to redirect the browser to is returned.
// returnTo is the same-origin path to come back to after login ("" for "/");
// anything else is refused (RFC 9700 §4.11.1).
//
// When the configuration uses discovery, StartLogin reads the discovery
// document first (from the tab's cache when it has it), and refuses a
// document that names another issuer before anything is redirected; it also
// prefetches the key set, so that the callback usually verifies the ID
// token without a round trip (see [Client.Prepare]).
func (c *Client) StartLogin(returnTo string) (string, error) {
	return c.StartLoginContext(context.Background(), returnTo)
}

// StartLoginContext is [Client.StartLogin] with a context for the
// discovery and key-set requests.
func (c *Client) StartLoginContext(ctx context.Context, returnTo string) (string, error) {
	if returnTo == "" {
		returnTo = "/"
	}
	if err := checkReturnTo(returnTo); err != nil {
		return "", err
	}
	if err := c.Prepare(ctx); err != nil {
		return "", err
	}
	prov, err := c.resolve(ctx)
	if err != nil {
		return "", err
	}
	verifier, err := GenerateVerifier(c.opts.Rand)
	if err != nil {
		return "", wrapError(CodeStorageError, "no random source", err)
	}
	state, err := randomString(c.opts.Rand, 24)
	if err != nil {
		return "", wrapError(CodeStorageError, "no random source", err)
	}
	challenge, err := S256Challenge(context.Background(), c.opts.SHA256, verifier)
	if err != nil {
		return "", wrapError(CodeStorageError, "cannot hash the code verifier", err)
	}
	p := pendingLogin{
		V: 1, Verifier: verifier, Issuer: prov.issuer, ClientID: c.cfg.ClientID,
		RedirectURI: c.cfg.RedirectURI, ReturnTo: returnTo, Created: c.opts.Now().UnixMilli(),
	}
	if c.cfg.hasOpenID() {
		if p.Nonce, err = randomString(c.opts.Rand, 24); err != nil {
			return "", wrapError(CodeStorageError, "no random source", err)
		}
	}
	data := p.encode()
	if len(data) > maxLoginStateBytes {
		// readPending would refuse it at the callback, after the user
		// signed in at the provider: refused now instead.
		return "", NewError(CodeInvalidArgument, "the login state would be too large to keep: returnTo (or redirectUri) is too long; at most "+strconv.Itoa(maxLoginStateBytes)+" bytes are stored")
	}
	if err := c.prunePendingLogins(); err != nil {
		return "", err
	}
	if err := c.opts.LoginStorage.Set(loginPrefix+state, string(data)); err != nil {
		return "", wrapError(CodeStorageError, "cannot store the login state", err)
	}
	return c.AuthorizeURL(state, challenge, p.Nonce), nil
}

// AuthorizeURL builds the authorization request (RFC 6749 §4.1.1 with
// RFC 7636 §4.3): response_type=code, client_id, redirect_uri, state,
// code_challenge and code_challenge_method=S256, then scope and nonce when
// set, then the extra parameters.
func (c *Client) AuthorizeURL(state, challenge, nonce string) string {
	q := weburl.Values{}
	for k, v := range c.cfg.ExtraParams {
		q.Set(k, v)
	}
	q.Set("response_type", "code")
	q.Set("client_id", c.cfg.ClientID)
	q.Set("redirect_uri", c.cfg.RedirectURI)
	q.Set("state", state)
	q.Set("code_challenge", challenge)
	q.Set("code_challenge_method", "S256")
	if c.cfg.Scope != "" {
		q.Set("scope", c.cfg.Scope)
	}
	if nonce != "" {
		q.Set("nonce", nonce)
	}
	ep := ""
	if p := c.knownProvider(); p != nil {
		ep = p.authorizationEndpoint
	}
	return withQuery(ep, q)
}

// withQuery appends q to an endpoint that may already carry a query (B2C's
// ?p=policy).
func withQuery(endpoint string, q weburl.Values) string {
	if strings.Contains(endpoint, "?") {
		return endpoint + "&" + q.Encode()
	}
	return endpoint + "?" + q.Encode()
}

// checkReturnTo accepts only a path on this origin: "/x?y#z", never
// "//host", "/\host", a scheme or control characters.
func checkReturnTo(p string) error {
	bad := func(why string) error { return NewError(CodeInvalidArgument, "returnTo "+why) }
	if len(p) > 2048 {
		return bad("is too long")
	}
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return bad("must be a path on this site starting with a single /")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return bad("must not contain backslashes or control characters")
		}
	}
	if _, err := weburl.ParseRef(p); err != nil {
		return bad("must be a path on this site")
	}
	return nil
}

// prunePendingLogins drops expired or unreadable attempts and keeps at most
// maxPendingLogins-1 so that a new one fits.
func (c *Client) prunePendingLogins() error {
	keys, err := c.opts.LoginStorage.Keys(loginPrefix)
	if err != nil {
		return wrapError(CodeStorageError, "cannot list the login state", err)
	}
	type entry struct {
		key     string
		created int64
	}
	var live []entry
	now := c.opts.Now()
	for _, k := range keys {
		p, err := c.readPending(k)
		if err != nil || now.Sub(time.UnixMilli(p.Created)) > LoginTimeout {
			c.opts.LoginStorage.Remove(k)
			continue
		}
		live = append(live, entry{k, p.Created})
	}
	// The oldest go first. No sort: a generic sort's instantiation for
	// this one type weighs more in the module than this loop.
	for len(live) >= maxPendingLogins {
		oldest := 0
		for i := range live {
			if live[i].created < live[oldest].created {
				oldest = i
			}
		}
		c.opts.LoginStorage.Remove(live[oldest].key)
		live = append(live[:oldest], live[oldest+1:]...)
	}
	return nil
}

// readPending reads and checks one stored login attempt. Anything that a
// tampered storage could hold gives CodeInvalidLoginState.
func (c *Client) readPending(key string) (*pendingLogin, error) {
	raw, ok, err := c.opts.LoginStorage.Get(key)
	if err != nil {
		return nil, wrapError(CodeStorageError, "cannot read the login state", err)
	}
	bad := func(why string) error {
		return NewError(CodeInvalidLoginState, "stored login state "+why+"; start the login again")
	}
	if !ok {
		return nil, bad("is missing")
	}
	if len(raw) > maxLoginStateBytes {
		return nil, bad("is oversized")
	}
	p, ok := decodePending(raw)
	if !ok {
		return nil, bad("is not valid")
	}
	switch {
	case p.V != 1:
		return nil, bad("has an unknown version")
	case !ValidVerifier(p.Verifier):
		return nil, bad("has an invalid PKCE verifier")
	case p.ClientID != c.cfg.ClientID || c.cfg.Issuer != "" && p.Issuer != c.cfg.Issuer || p.RedirectURI != c.cfg.RedirectURI:
		return nil, bad("was made for another configuration")
	case checkReturnTo(p.ReturnTo) != nil:
		return nil, bad("has an invalid return path")
	case p.Created <= 0:
		return nil, bad("has no creation time")
	}
	return p, nil
}

// encode is the stored form of p: what encoding/json wrote before (member
// order, omitempty), without HTML escaping.
func (p *pendingLogin) encode() []byte {
	var o jsonv.Object
	o.Int("v", int64(p.V))
	o.String("verifier", p.Verifier)
	if p.Nonce != "" {
		o.String("nonce", p.Nonce)
	}
	o.String("issuer", p.Issuer)
	o.String("client_id", p.ClientID)
	o.String("redirect_uri", p.RedirectURI)
	o.String("return_to", p.ReturnTo)
	o.Int("created", p.Created)
	return o.Bytes()
}

// pendingMembers are the member names of a stored pendingLogin.
var pendingMembers = []string{"v", "verifier", "nonce", "issuer", "client_id", "redirect_uri", "return_to", "created"}

// decodePending reads a stored pendingLogin: exactly one JSON object with
// no member but pendingMembers, exactly spelled, each of its type (null:
// zero).
func decodePending(raw string) (*pendingLogin, bool) {
	o, err := jsonv.DecodeObject([]byte(raw))
	if err != nil {
		return nil, false
	}
	for name := range o {
		if !slices.Contains(pendingMembers, name) {
			return nil, false
		}
	}
	f := jsonv.Fields{Object: o}
	p := &pendingLogin{
		V: int(f.Int64("v")), Verifier: f.String("verifier"), Nonce: f.String("nonce"), Issuer: f.String("issuer"),
		ClientID: f.String("client_id"), RedirectURI: f.String("redirect_uri"), ReturnTo: f.String("return_to"),
		Created: f.Int64("created"),
	}
	return p, f.Bad == ""
}

// CallbackResult is what a successful [Client.HandleCallback] returns.
type CallbackResult struct {
	// ReturnTo is the same-origin path given to StartLogin.
	ReturnTo string
	// CleanURL is the callback URL without the authorization response
	// parameters, for history.replaceState (RFC 9700 §4.2.4).
	CleanURL string
}

// responseParams are the authorization-response parameters removed from the
// address bar after the callback.
var responseParams = []string{"code", "state", "iss", "error", "error_description", "error_uri", "session_state"}

// CleanCallbackURL returns rawURL without the authorization response
// parameters and without its fragment, or "" when rawURL does not parse.
// The fragment is cut first: one that does not parse must not keep the
// code in the address bar.
func CleanCallbackURL(rawURL string) string {
	rawURL, _, _ = strings.Cut(rawURL, "#")
	u, err := weburl.Parse(rawURL)
	if err != nil {
		return ""
	}
	q, _ := weburl.ParseQuery(u.RawQuery)
	for _, p := range responseParams {
		q.Del(p)
	}
	u.RawQuery = q.Encode()
	return u.StringNoFragment()
}

// pathOrRoot is p, or "/" for the empty path of an http(s) URL.
func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// HandleCallback validates the redirect back from the provider and, for a
// code, exchanges it for tokens. The rules, in order:
//
//   - the URL is the configured redirect URI; each parameter appears once;
//     implicit-flow tokens are refused (the code flow only);
//   - every pending login of this tab is removed whatever happens next, so a
//     reload, Back or replay can never exchange a code twice
//     (RFC 6749 §4.1.2);
//   - state must match a pending login (RFC 6749 §10.12); an error with an
//     unknown state is a forgery and its text is not shown;
//   - iss is compared with the issuer the login was sent to (RFC 9207 §2.4);
//   - error becomes an *Error with the provider's code (RFC 6749 §4.1.2.1);
//   - the code is exchanged once, with the stored verifier (RFC 7636 §4.5).
func (c *Client) HandleCallback(ctx context.Context, callbackURL string) (*CallbackResult, error) {
	// The stored attempts are consumed before anything else can fail.
	pending, perr := c.takePendingLogins()

	u, err := weburl.Parse(callbackURL)
	if err != nil {
		return nil, wrapError(CodeInvalidCallback, "callback URL does not parse", err)
	}
	q, qerr := weburl.ParseQuery(u.RawQuery)
	frag, _ := weburl.ParseQuery(u.Fragment)

	if qerr != nil {
		return nil, wrapError(CodeInvalidCallback, "callback query does not parse", qerr)
	}
	// The same URL as the browser writes it (location.href, WHATWG URL):
	// the origin compared as serialised (host lowercase, default port
	// dropped), an empty path read as "/".
	want, werr := weburl.Parse(c.cfg.RedirectURI)
	if werr != nil || u.Origin() != want.Origin() || pathOrRoot(u.Path) != pathOrRoot(want.Path) {
		return nil, NewError(CodeInvalidCallback, "this URL is not the configured redirect URI")
	}
	for k, v := range q {
		if len(v) > 1 {
			return nil, NewError(CodeInvalidCallback, "parameter "+weburl.QueryEscape(k)+" appears more than once")
		}
	}
	for _, k := range []string{"access_token", "id_token", "token"} {
		if q.Has(k) || frag.Has(k) {
			return nil, NewError(CodeInvalidCallback, "the callback carries tokens: the implicit flow is not supported")
		}
	}
	if perr != nil {
		return nil, perr
	}
	state := q.Get("state")
	if state == "" {
		return nil, NewError(CodeStateMismatch, "the callback has no state")
	}
	if len(pending) == 0 {
		return nil, NewError(CodeNoPendingLogin, "no login was started in this tab (or it was already completed)")
	}
	entry, ok := pending[state]
	if !ok {
		return nil, NewError(CodeStateMismatch, "the callback's state matches no login started in this tab")
	}
	p, err := entry.p, entry.err
	if err != nil {
		return nil, err
	}
	code := q.Get("code")
	// One code, one exchange, even across duplicated tabs whose copied
	// sessionStorage holds the same pending login. The claim starts here, so
	// that its round trip (IndexedDB in the browser) overlaps the checks
	// below, and it is awaited before the token request is sent. A check
	// that fails meanwhile leaves this state claimed, which only refuses
	// its code to a duplicated tab as well.
	var claimed func() (bool, error)
	if code != "" && !q.Has("error") {
		claimed = c.redeem(ctx, "gopkce:callback:"+state)
		runtime.Gosched() // let the claim send its request before the checks
	}
	if c.opts.Now().Sub(time.UnixMilli(p.Created)) > LoginTimeout {
		return nil, NewError(CodeLoginRequired, "the login took too long; start it again")
	}
	prov, err := c.resolve(ctx) // usually from the tab's cache
	if err != nil {
		return nil, err
	}
	if p.Issuer != prov.issuer {
		return nil, NewError(CodeInvalidLoginState, "stored login state was made for another issuer; start the login again")
	}
	if iss, has := q["iss"]; has {
		if err := checkIssuer(iss[0], p.Issuer); err != nil {
			return nil, err
		}
	} else if prov.issParameterSupported {
		return nil, NewError(CodeIssuerMismatch, "the callback has no iss although the provider sends it (issParameterSupported; RFC 9207 §2.4)")
	}
	if q.Has("error") {
		// error_uri is deliberately dropped: it must never become a link.
		return nil, providerError(q.Get("error"), q.Get("error_description"), "the provider refused the login", 0)
	}
	if code == "" {
		return nil, NewError(CodeInvalidCallback, "the callback has neither code nor error")
	}
	first, err := claimed()
	if err != nil {
		return nil, wrapError(CodeStorageError, "cannot record that this login's code is being exchanged", err)
	}
	if !first {
		return nil, NewError(CodeNoPendingLogin, "this login's code was already exchanged in another tab (a duplicated tab holds a copy of the login state)")
	}
	ts, err := c.exchange(ctx, code, p, prov)
	if err != nil {
		return nil, err
	}
	if err := c.storeTokens(ts); err != nil {
		return nil, err
	}
	c.emit(Event{Type: EventTokensChanged, ExpiresAt: ts.Expiry()})
	c.announceRefreshTokenExpiry(ts) // arms the expiring event
	return &CallbackResult{ReturnTo: p.ReturnTo, CleanURL: CleanCallbackURL(callbackURL)}, nil
}

// redeemTimeout bounds the claim of a callback. A browser's IndexedDB can
// stall (an upgrade blocked by another tab, a wedged profile); the callback
// then fails with storage_error instead of never answering.
var redeemTimeout = 10 * time.Second

// claim starts the Redeemer and returns the function that waits for its
// answer, with a time limit whether or not the Redeemer honours its
// context. A claim that answers late is lost; the code is never exchanged
// after a time-out, so the worst outcome is a login to start again. A
// claim nobody waits for (a check failed) ends on its own, its context at
// the time limit.
func (c *Client) redeem(ctx context.Context, key string) func() (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, redeemTimeout)
	type result struct {
		first bool
		err   error
	}
	done := make(chan result, 1)
	go func() {
		first, err := c.opts.Redeemer.Redeem(ctx, key)
		done <- result{first, err}
	}()
	return func() (bool, error) {
		defer cancel()
		select {
		case r := <-done:
			return r.first, r.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// checkIssuer compares the callback's iss with the issuer the login was
// sent to, exactly (RFC 9207 §2.4: simple string comparison). The message
// shows both, as plain text, since a trailing slash is the usual cause.
func checkIssuer(got, want string) error {
	shown := strconv.Quote(protocol.PlainText(got))
	if want == "" {
		return NewError(CodeIssuerMismatch, "the callback carries iss "+shown+" but no issuer is configured: set issuer to the provider's issuer identifier (RFC 9207)")
	}
	if got == want {
		return nil
	}
	msg := "the callback's iss " + shown + " is not the configured issuer " + strconv.Quote(want)
	if strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/") {
		msg += " (they differ by a trailing slash: configure the issuer exactly as the provider spells it)"
	}
	return NewError(CodeIssuerMismatch, msg+" (RFC 9207 §2.4)")
}

type pendingEntry struct {
	p   *pendingLogin
	err error
}

// takePendingLogins reads and removes every pending login of this tab.
func (c *Client) takePendingLogins() (map[string]pendingEntry, error) {
	keys, err := c.opts.LoginStorage.Keys(loginPrefix)
	if err != nil {
		return nil, wrapError(CodeStorageError, "cannot list the login state", err)
	}
	out := make(map[string]pendingEntry, len(keys))
	for _, k := range keys {
		p, err := c.readPending(k)
		out[strings.TrimPrefix(k, loginPrefix)] = pendingEntry{p, err}
		if rerr := c.opts.LoginStorage.Remove(k); rerr != nil && err == nil {
			return nil, wrapError(CodeStorageError, "cannot remove the login state", rerr)
		}
	}
	return out, nil
}

// exchange redeems the code (RFC 6749 §4.1.3, RFC 7636 §4.5). It is never
// retried: a code is single use, and a second attempt after a lost response
// would be refused anyway and could revoke the grant.
//
// When the login asked for openid, the ID token is verified (OpenID Connect
// Core §3.1.3.7) before anything is stored: a response without one, or
// with one that fails a check, is refused. An ID token the login did not
// ask for is not kept.
func (c *Client) exchange(ctx context.Context, code string, p *pendingLogin, prov *providerInfo) (*TokenSet, error) {
	form := weburl.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {p.RedirectURI},
		"client_id":     {c.cfg.ClientID},
		"code_verifier": {p.Verifier},
	}
	now := c.opts.Now()
	tr, err := c.tokenRequest(ctx, form)
	if err != nil {
		return nil, err
	}
	ts := c.newTokenSet(tr, now)
	ts.LoginAt = now.UnixMilli()
	switch {
	case p.Nonce == "":
		ts.IDToken = "" // not asked for, not verified: not kept
	case ts.IDToken == "":
		return nil, idTokenError(CheckPresent, "the login asked for openid and the token response has no ID token")
	default:
		if _, err := c.verifier(prov).Verify(ctx, ts.IDToken, IDTokenExpect{Nonce: p.Nonce}); err != nil {
			return nil, err
		}
	}
	return ts, nil
}
