//go:build js && wasm

package main

import (
	"sync"
	"syscall/js"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// The client of the page's last configure, which every other call uses.
var (
	mu      sync.Mutex
	client  *oauth.Client
	channel *eventChannel // tells other tabs sharing the tokens, or nil
)

// current returns the configured client.
func current() (*oauth.Client, error) {
	mu.Lock()
	defer mu.Unlock()
	if client == nil {
		return nil, oauth.NewError(oauth.CodeInvalidConfig, "call gopkce.configure(config) first")
	}
	return client, nil
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
	if loc := js.Global().Get("location"); loc.Truthy() && loc.Get("origin").Type() == js.TypeString {
		opts.PageOrigin = loc.Get("origin").String() // "null" for an opaque origin: every redirect URI differs
	}
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
		// the loader opened the database for the redemption; it is
		// adopted now, so that handleCallback finds it ready.
		go sharedOnce.Do(func() { shared, sharedErr = openIDBFrom(warm) })
	}
	if cfg.DPoP != oauth.DPoPOff {
		opts.DPoPKeys = newDPoPKeys(cfg.Storage)
		if cfg.Storage != oauth.StorageMemory {
			// The nonces are shared by every tab (RFC 9449 §8), and the
			// keys need the database anyway.
			shared, err := sharedStorage()
			if err != nil {
				return nil, oauth.NewError(oauth.CodeStorageError, err.Error())
			}
			opts.DPoPNonces = shared
		}
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
	fast := &fastPath{config: raw, off: !fastPathSafe(cfg.Storage) || cfg.BFF != ""}
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
	opts.OnSession = func(s oauth.Session) {
		mu.Lock()
		mine := client == self
		mu.Unlock()
		if mine {
			fast.note(s)
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
	if cfg.DPoP == oauth.DPoPOff {
		// A bound token is sent with a proof, which only the module makes.
		fast.origins = c.APIOrigins()
	}
	if guard != nil {
		guard.drop = func() { c.ForgetRefreshToken() }
		go guard.settle()
	}
	if cfg.Storage == oauth.StorageLocal {
		events = openEventChannel(names.EventsChannelPrefix+c.SessionKey(), c.Invalidate)
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
