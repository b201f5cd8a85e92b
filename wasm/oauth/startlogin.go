package oauth

import (
	"context"
	"strconv"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

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
	return c.StartLoginWith(ctx, LoginOptions{ReturnTo: returnTo})
}

// StartLoginWith is [Client.StartLogin] with the per-call parameters of o
// (prompt, login_hint, max_age, acr_values, ui_locales and others). The
// login remembers max_age and, when essential, acr_values: the callback
// then refuses an ID token without auth_time, authenticated too long ago,
// or with another acr (OpenID Connect Core §3.1.3.7 item 13, §5.5.1.1).
func (c *Client) StartLoginWith(ctx context.Context, o LoginOptions) (string, error) {
	returnTo := o.ReturnTo
	extra, err := o.params()
	if err != nil {
		return "", err
	}
	if (o.MaxAge != nil || o.ACREssential) && !c.cfg.hasOpenID() {
		return "", NewError(CodeInvalidArgument, "startLogin: maxAge and acrEssential are checked in the ID token: add openid to the scope")
	}
	if returnTo == "" {
		returnTo = "/"
	}
	if err := checkReturnTo(returnTo); err != nil {
		return "", err
	}
	if err := c.checkRedirectOrigin(); err != nil {
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
		RedirectURI: c.cfg.RedirectURI, ReturnTo: returnTo, Created: c.opts.Now().UnixMilli(), MaxAge: o.MaxAge,
	}
	if o.ACREssential {
		p.ACR = strings.Join(strings.Fields(o.ACRValues), " ")
	}
	if c.cfg.hasOpenID() {
		if p.Nonce, err = randomString(c.opts.Rand, 24); err != nil {
			return "", wrapError(CodeStorageError, "no random source", err)
		}
	}
	if c.cfg.DPoP != DPoPOff {
		// A new key for each login (RFC 9449 §10: dpop_jkt binds the code
		// to it); the session it starts is bound to it.
		if p.JKT, err = c.newDPoPKey(ctx); err != nil {
			return "", err
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
	u := c.authorizeURL(extra, state, challenge, p.Nonce)
	if p.JKT != "" {
		u += "&dpop_jkt=" + p.JKT // base64url: nothing to escape
	}
	return u, nil
}

// AuthorizeURL builds the authorization request (RFC 6749 §4.1.1 with
// RFC 7636 §4.3): response_type=code, client_id, redirect_uri, state,
// code_challenge and code_challenge_method=S256, then scope and nonce when
// set, then the extra parameters.
func (c *Client) AuthorizeURL(state, challenge, nonce string) string {
	return c.authorizeURL(nil, state, challenge, nonce)
}

func (c *Client) authorizeURL(extra map[string]string, state, challenge, nonce string) string {
	q := c.authorizeQuery(extra)
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
