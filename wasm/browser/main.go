//go:build js && wasm

// Command wasm is the gopkce browser module. It only converts between Go and
// JavaScript: the flow itself is in package oauth. The loader (web/gopkce.js)
// starts it and receives its functions through gopkce._bind.
package main

import (
	"context"
	"sync"
	"syscall/js"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/oauth"
)

var (
	mu      sync.Mutex
	client  *oauth.Client
	channel *eventChannel // tells other tabs sharing the tokens, or nil
)

func main() {
	api := js.Global().Get("Object").New()
	api.Set("configure", async(configure))
	api.Set("startLogin", async(startLogin))
	api.Set("handleCallback", async(handleCallback))
	api.Set("getToken", async(getToken))
	api.Set("getClaims", async(getClaims))
	api.Set("getUnverifiedAccessTokenClaims", async(getUnverifiedAccessTokenClaims))
	api.Set("getSession", async(getSession))
	api.Set("logout", async(logout))
	api.Set("apiToken", async(apiToken))
	ns := js.Global().Get("gopkce")
	if !ns.Truthy() || ns.Get("_bind").Type() != js.TypeFunction {
		js.Global().Get("console").Call("error", "gopkce: load gopkce.js, which starts this module")
		return
	}
	ns.Call("_bind", api)
	select {}
}

func current() (*oauth.Client, error) {
	mu.Lock()
	defer mu.Unlock()
	if client == nil {
		return nil, oauth.NewError(oauth.CodeInvalidConfig, "call gopkce.configure(config) first")
	}
	return client, nil
}

// emit hands an event to the loader, which calls the page's listeners.
func emit(e oauth.Event, fromOtherTab bool) {
	ns := js.Global().Get("gopkce")
	if !ns.Truthy() || ns.Get("_emit").Type() != js.TypeFunction {
		return
	}
	detail := js.Global().Get("Object").New()
	if !e.ExpiresAt.IsZero() {
		detail.Set("expiresAt", e.ExpiresAt.UnixMilli())
	}
	if e.Code != "" {
		detail.Set("code", e.Code)
	}
	detail.Set("fromOtherTab", fromOtherTab)
	ns.Call("_emit", e.Type, detail)
}

// configure(config): validates the configuration (see oauth.ParseConfig)
// and sets up storage, locks and the cross-tab channel.
func configure(args []js.Value) (any, error) {
	if len(args) == 0 || args[0].Type() != js.TypeObject {
		return nil, oauth.NewError(oauth.CodeInvalidConfig, "configure takes a configuration object")
	}
	raw := js.Global().Get("JSON").Call("stringify", args[0]).String()
	cfg, err := oauth.ParseConfig([]byte(raw))
	if err != nil {
		return nil, err
	}
	logins, err := globalStorage("sessionStorage")
	if err != nil {
		return nil, oauth.NewError(oauth.CodeStorageError, err.Error())
	}
	opts := oauth.Options{Transport: fetchTransport{}, Rand: cryptoRand{}, SHA256: subtleSHA256, LoginStorage: logins, Signatures: webCryptoVerifier{}, Redeemer: codeRedeemer{}}
	switch cfg.Storage {
	case oauth.StorageSession:
		opts.TokenStorage = logins
	case oauth.StorageLocal:
		shared, err := sharedStorage()
		if err != nil {
			return nil, oauth.NewError(oauth.CodeStorageError, err.Error())
		}
		opts.TokenStorage = shared
	}
	if warm := takeLoaderDB(); warm.Truthy() {
		// A page of a tab with a login in flight, probably the callback:
		// the loader opened the database for the claim; it is adopted
		// now, so that handleCallback finds it ready.
		go sharedOnce.Do(func() { shared, sharedErr = openIDBFrom(warm) })
	}
	var locker oauth.Locker = oauth.NewMemoryLocker()
	if l := newLocker(); l != nil {
		locker = l
	}
	opts.Locker = locker
	var guard *duplicateGuard
	if cfg.Storage == oauth.StorageSession {
		// Tokens in sessionStorage belong to this tab alone once a
		// duplicate has dropped its copied refresh token (tabs.go): a lock
		// within the tab is enough, and a Web Lock would only add a round
		// trip to the browser process before each refresh.
		detectDuplicate(logins)
		guard = &duplicateGuard{inner: oauth.NewMemoryLocker()}
		opts.Locker = guard
	}
	fast := &fastPath{config: raw, off: !fastPathSafe(cfg.Storage)}
	if cfg.Storage == oauth.StorageSession {
		fast.store = &logins
	}
	var self *oauth.Client
	opts.OnToken = func(token string, until time.Time) {
		mu.Lock()
		mine := client == self
		mu.Unlock()
		if mine {
			fast.publish(token, until)
		}
	}
	var events *eventChannel
	opts.OnEvent = func(e oauth.Event) {
		emit(e, false)
		if events != nil && e.Type != oauth.EventRefreshTokenExpiring {
			events.post(e)
		}
	}
	c, err := oauth.NewClient(cfg, opts)
	if err != nil {
		return nil, err
	}
	fast.key = c.TokensKey()
	if guard != nil {
		guard.drop = func() { c.ForgetRefreshToken() }
		go guard.settle()
	}
	if cfg.Storage == oauth.StorageLocal {
		events = openEventChannel("gopkce:events:"+c.SessionKey(), c.Invalidate)
	}
	self = c
	mu.Lock()
	if channel != nil {
		channel.close()
	}
	client, channel = c, events
	mu.Unlock()
	go c.WatchRefreshTokenLifetime() // a session restored from storage
	return nil, nil
}

// startLogin({returnTo, navigate}): stores a new login attempt and sends
// the browser to the provider (or, with navigate: false, returns the URL).
func startLogin(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	o, err := parseOptions("startLogin", args, map[string]js.Type{"returnTo": js.TypeString, "navigate": js.TypeBoolean})
	if err != nil {
		return nil, err
	}
	u, err := c.StartLogin(o.string("returnTo"))
	if err != nil {
		return nil, err
	}
	if o.bool("navigate", true) {
		js.Global().Get("location").Call("assign", u)
	}
	return u, nil
}

// handleCallback(url = location.href): validates the redirect, exchanges the
// code and removes code and state from the address bar whatever the outcome.
// Resolves with {returnTo}.
func handleCallback(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	loc := js.Global().Get("location").Get("href").String()
	u := loc
	switch a := arg0(args); a.Type() {
	case js.TypeString:
		u = a.String()
	case js.TypeUndefined, js.TypeNull:
	default:
		return nil, oauth.NewError(oauth.CodeInvalidArgument, "handleCallback takes the callback URL as a string, or nothing for location.href")
	}
	res, err := c.HandleCallback(context.Background(), u)
	if u == loc {
		if clean := oauth.CleanCallbackURL(loc); clean != "" {
			h := js.Global().Get("history")
			h.Call("replaceState", h.Get("state"), "", clean)
		}
	}
	if err != nil {
		return nil, err
	}
	out := js.Global().Get("Object").New()
	out.Set("returnTo", res.ReturnTo)
	return out, nil
}

// getToken({forceRefresh}): a valid token, refreshed when near expiry.
func getToken(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	o, err := parseOptions("getToken", args, map[string]js.Type{"forceRefresh": js.TypeBoolean})
	if err != nil {
		return nil, err
	}
	return c.Token(context.Background(), oauth.TokenOptions{ForceRefresh: o.bool("forceRefresh", false)})
}

// apiToken(url, {rejected, challenge}): the token gopkce.fetch attaches to
// a request for url, or, after a 401, the token for its one retry (""
// when the 401 stands); see oauth.Client.APIToken.
func apiToken(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	if len(args) == 0 || args[0].Type() != js.TypeString {
		return nil, oauth.NewError(oauth.CodeInvalidArgument, "apiToken takes a URL")
	}
	var rejected, challenge string
	if len(args) > 1 && args[1].Type() == js.TypeObject {
		if v := args[1].Get("rejected"); v.Type() == js.TypeString {
			rejected = v.String()
		}
		if v := args[1].Get("challenge"); v.Type() == js.TypeString {
			challenge = v.String()
		}
	}
	return c.APIToken(context.Background(), args[0].String(), rejected, challenge)
}

// getClaims(): the verified ID token's claims, or null.
func getClaims([]js.Value) (any, error) {
	return claimsToJS((*oauth.Client).Claims)
}

// getUnverifiedAccessTokenClaims(): the access token's claims when it is a
// JWT, or null. Nothing about them is verified.
func getUnverifiedAccessTokenClaims([]js.Value) (any, error) {
	return claimsToJS((*oauth.Client).UnverifiedAccessTokenClaims)
}

func claimsToJS(get func(*oauth.Client) (map[string]any, error)) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	claims, err := get(c)
	if err != nil || claims == nil {
		return nil, err
	}
	return jsonToJS(claims)
}

// getSession(): {loggedIn, expiresAt, refreshTokenExpiresAt, ...}, no tokens.
func getSession([]js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return jsonToJS(sessionObject(s))
}

// sessionObject is s as JavaScript sees it: oauth.Session's JSON names,
// the zero members omitted but loggedIn and hasRefreshToken.
func sessionObject(s oauth.Session) map[string]any {
	o := map[string]any{"loggedIn": s.LoggedIn, "hasRefreshToken": s.HasRefreshToken}
	if s.ExpiresAt != 0 {
		o["expiresAt"] = s.ExpiresAt
	}
	if s.RefreshTokenExpiresAt != 0 {
		o["refreshTokenExpiresAt"] = s.RefreshTokenExpiresAt
	}
	if s.Scope != "" {
		o["scope"] = s.Scope
	}
	return o
}

// logout({navigate}): forgets the tokens, revokes the refresh token at the
// revocation endpoint when one is configured, and visits the provider's
// logout. Resolves with the logout URL.
func logout(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	o, err := parseOptions("logout", args, map[string]js.Type{"navigate": js.TypeBoolean})
	if err != nil {
		return nil, err
	}
	res, err := c.Logout(context.Background())
	if err != nil {
		return nil, err
	}
	if res.RevokeError != nil {
		js.Global().Get("console").Call("warn", "gopkce: logout: the refresh token was not revoked: "+res.RevokeError.Error())
	}
	if o.bool("navigate", true) {
		js.Global().Get("location").Call("assign", res.URL)
	}
	return res.URL, nil
}

// jsonToJS hands v (decoded claims, or a map of strings, booleans and
// integers) to JavaScript through JSON.parse, so that numbers arrive as
// JavaScript reads their JSON text.
func jsonToJS(v any) (any, error) {
	b, err := jsonv.Marshal(v)
	if err != nil {
		return nil, err
	}
	return js.Global().Get("JSON").Call("parse", string(b)), nil
}

var (
	sharedOnce sync.Once
	shared     oauth.Storage
	sharedErr  error
)

// sharedStorage is the token storage shared by every tab: IndexedDB (see
// idbStorage for why not localStorage), opened once per page.
func sharedStorage() (oauth.Storage, error) {
	sharedOnce.Do(func() { shared, sharedErr = openIDB() })
	return shared, sharedErr
}

// codeRedeemer claims callbacks in IndexedDB, which every tab of the
// origin shares, so that duplicated tabs exchange a code once. It opens the
// database on the first callback only. Without IndexedDB (blocked storage)
// it falls back to this page only; the provider then refuses the second
// exchange of the single-use code.
type codeRedeemer struct{}

var pageRedemptions = oauth.NewMemoryRedeemer()

func (codeRedeemer) Redeem(ctx context.Context, key string) (bool, error) {
	if first, ok, err := loaderClaim(key); ok {
		if err == nil && first {
			if s, serr := sharedStorage(); serr == nil {
				s.(idbStorage).schedulePrune(key)
			}
		}
		return first, err
	}
	s, err := sharedStorage()
	if err != nil {
		return pageRedemptions.Redeem(ctx, key)
	}
	return s.(idbStorage).Redeem(ctx, key)
}

// loaderClaim waits for the claim the loader started for key when the
// page called handleCallback (web/gopkce.js, preClaim): the same add, in
// the same transaction, begun before the module was entered. ok is false
// when the loader started none, or had no database.
func loaderClaim(key string) (first, ok bool, err error) {
	ns := js.Global().Get("gopkce")
	if !ns.Truthy() || ns.Get("_claim").Type() != js.TypeFunction {
		return false, false, nil
	}
	p := ns.Call("_claim", key)
	if !p.Truthy() {
		return false, false, nil
	}
	v, err := await(p)
	if err != nil {
		return false, true, err
	}
	if v.Type() != js.TypeBoolean {
		return false, false, nil // no database: claimed here
	}
	return v.Bool(), true, nil
}

// eventChannel tells the other tabs that share the tokens (storage "local")
// about new tokens and logout, over a BroadcastChannel. It never carries a
// token. A message withdraws this tab's published token (changed) before
// the page hears of it.
type eventChannel struct {
	bc js.Value
	fn js.Func
}

// openEventChannel returns nil where BroadcastChannel is missing.
func openEventChannel(name string, changed func()) *eventChannel {
	class := js.Global().Get("BroadcastChannel")
	if !class.Truthy() {
		return nil
	}
	ch := &eventChannel{bc: class.New(name)}
	ch.fn = js.FuncOf(func(_ js.Value, args []js.Value) any {
		d := arg0(args).Get("data")
		if d.Type() != js.TypeObject || d.Get("type").Type() != js.TypeString {
			return nil
		}
		e := oauth.Event{Type: d.Get("type").String()}
		if v := d.Get("code"); v.Type() == js.TypeString {
			e.Code = v.String()
		}
		if v := d.Get("expiresAt"); v.Type() == js.TypeNumber {
			e.ExpiresAt = time.UnixMilli(int64(v.Float()))
		}
		changed() // the fast path stops before the page hears of it
		emit(e, true)
		return nil
	})
	ch.bc.Set("onmessage", ch.fn)
	return ch
}

func (ch *eventChannel) post(e oauth.Event) {
	msg := js.Global().Get("Object").New()
	msg.Set("type", e.Type)
	msg.Set("code", e.Code)
	if !e.ExpiresAt.IsZero() {
		msg.Set("expiresAt", e.ExpiresAt.UnixMilli())
	}
	ch.bc.Call("postMessage", msg)
}

func (ch *eventChannel) close() {
	ch.bc.Call("close")
	ch.fn.Release()
}
