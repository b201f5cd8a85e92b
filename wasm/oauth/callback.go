package oauth

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

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
	// sessionStorage holds the same pending login. The redemption starts
	// here, so that its round trip (IndexedDB in the browser) overlaps the
	// checks below, and it is awaited before the token request is sent. A
	// check that fails meanwhile leaves this state redeemed, which only
	// refuses its code to a duplicated tab as well.
	var redeemed func() (bool, error)
	if code != "" && !q.Has("error") {
		redeemed = c.redeem(ctx, names.CallbackPrefix+state)
		runtime.Gosched() // let the redemption send its request before the checks
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
	first, err := redeemed()
	if err != nil {
		return nil, wrapError(CodeStorageError, "cannot record that this login's code is being exchanged", err)
	}
	if !first {
		return nil, NewError(CodeNoPendingLogin, "this login's code was already exchanged in another tab (a duplicated tab holds a copy of the login state)")
	}
	// The exchange and the store run under the session lock (grant.go): a
	// refresh of the previous session in flight in another tab ends first,
	// and with a token handler its cookie is set before this login's.
	var ts, prev *TokenSet
	login := func(ctx context.Context) error {
		grant, err := c.newGrantID()
		if err != nil {
			return err
		}
		if ts, err = c.exchange(ctx, code, p, prov, grant); err != nil {
			return err
		}
		prev, _ = c.loadTokens()
		return c.storeTokens(ts)
	}
	ran, err := c.withSessionLock(ctx, login)
	if !ran {
		err = login(ctx) // the lock is held too long: the grant check still orders the store
	}
	if err != nil {
		return nil, err
	}
	c.afterLoginDPoP(ctx, p, prev, ts)
	c.emit(Event{Type: EventTokensChanged, ExpiresAt: ts.Expiry()})
	c.announceRefreshTokenExpiry(ts) // arms the expiring event
	return &CallbackResult{ReturnTo: p.ReturnTo, CleanURL: CleanCallbackURL(callbackURL)}, nil
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
