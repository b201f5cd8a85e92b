//go:build js && wasm

package main

import (
	"syscall/js"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// The loader's token fast path. The core publishes the token it would serve
// and the moment it stops being fresh (oauth.Options.OnToken); this hands
// them to the loader, which answers getToken() from them without entering
// Go until that moment (web/gopkce.js).
//
// With storage "session" the record is also kept in sessionStorage under
// fastKey, beside the token set it is derived from, so that after a reload
// the loader can answer the first getToken before the module has started.
// The record names the configuration it belongs to (the JSON the page
// passed to configure): the loader uses it only for exactly that
// configuration. Whatever removes the session removes the record too: the
// core withdraws it at logout and whenever it clears the session, and a
// page that clears sessionStorage clears both. The loader compares the
// stored record with its copy on every fast answer, so a cleared or
// replaced record stops the fast path at once. Shared ("local") and
// "memory" sessions keep no such record: a reload waits for the module.
const fastKey = "gopkce:fast"

// fastPath publishes one client's token to the loader.
type fastPath struct {
	config string      // the configuration's JSON, as the page passed it
	store  *webStorage // sessionStorage with storage "session", else nil
	last   string      // the record last stored, "" for none
	off    bool        // nothing is published (see fastPathSafe)
}

// fastPathSafe reports whether the loader may answer from a published
// token with this storage. Shared ("local") tokens change in other tabs,
// which withdraw this tab's copy over the BroadcastChannel; where there is
// none, a logout in another tab would go unnoticed until the deadline, so
// every getToken goes to Go, which reads the shared storage.
func fastPathSafe(storage oauth.StorageKind) bool {
	return storage != oauth.StorageLocal || js.Global().Get("BroadcastChannel").Truthy()
}

// fastRecord is the record the loader reads: {"c":config,"t":token,"u":ms
// since the epoch}.
func fastRecord(config, token string, until time.Time) []byte {
	var o jsonv.Object
	o.String("c", config)
	o.String("t", token)
	o.Int("u", until.UnixMilli())
	return o.Bytes()
}

// publish is the client's oauth.Options.OnToken.
func (f *fastPath) publish(token string, until time.Time) {
	if f.off || token == "" || !until.After(time.Now()) {
		f.withdraw()
		return
	}
	raw := fastRecord(f.config, token, until)
	// The loader may have refused the last one (it came during a
	// configure): hand it over again; only the storage write is skipped.
	if f.store != nil && string(raw) != f.last {
		if err := f.store.Set(fastKey, string(raw)); err != nil {
			f.withdraw()
			return
		}
	}
	f.last = string(raw)
	loaderToken(js.ValueOf(f.last), f.store != nil)
}

// withdraw stops the fast path: nothing may be served without Go.
func (f *fastPath) withdraw() {
	f.last = ""
	if f.store != nil {
		f.store.Remove(fastKey)
	}
	loaderToken(js.Null(), false)
}

// loaderToken hands a record (or null) to the loader.
func loaderToken(raw js.Value, stored bool) {
	ns := js.Global().Get("gopkce")
	if ns.Truthy() && ns.Get("_token").Type() == js.TypeFunction {
		ns.Call("_token", raw, stored)
	}
}
