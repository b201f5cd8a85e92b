//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// The loader's token fast path. The core publishes the token it would serve
// and the moment it stops being fresh (oauth.Options.OnToken); this hands
// them to the loader, which answers getToken() from them without entering
// Go until that moment (web/gopkce.js).
//
// With storage "session" the record is also kept in sessionStorage under
// names.FastRecordKey, beside the token set it is derived from, so that after a reload
// the loader can answer the first getToken before the module has started.
// The record names the configuration it belongs to (the JSON the page
// passed to configure): the loader uses it only for exactly that
// configuration. It is bound to the token set it was derived from: it
// names the set's key and carries a hash of the stored set (setHash), and
// the loader checks on every fast answer that this key still holds a set
// with that hash, so a cleared sessionStorage, or a page that removes or
// replaces only the tokens, stops the fast path at once. The core also
// withdraws the record at logout and whenever it clears the session.
// Shared ("local") and "memory" sessions keep no such record: a reload
// waits for the module.
//
// The record also carries what getSession() and gopkce.fetch need before
// the module has started, under the same guards as the token: the session
// the core derives from the same token set (oauth.Options.OnSession) and
// the origins gopkce.fetch may send the token to. With it, the loader lets
// a configure() of exactly the recorded configuration resolve at once
// (the module validates it again when it starts).

// fastPath publishes one client's token to the loader.
type fastPath struct {
	config  string      // the configuration's JSON, as the page passed it
	origins []string    // where gopkce.fetch may send the token
	session []byte      // the JSON of the session published with the token
	store   *webStorage // sessionStorage with storage "session", else nil
	key     string      // the token set's key in store
	last    string      // the record last stored, "" for none
	off     bool        // nothing is published (see fastPathSafe)
}

// fastPathSafe reports whether the loader may answer from a published
// token with this storage. Shared ("local") tokens change in other tabs,
// which withdraw this tab's copy over the BroadcastChannel; where there is
// none, a logout in another tab would go unnoticed until the deadline, so
// every getToken goes to Go, which reads the shared storage.
func fastPathSafe(storage oauth.StorageKind) bool {
	return storage != oauth.StorageLocal || js.Global().Get("BroadcastChannel").Truthy()
}

// fastRecord is the record the loader reads, a JSON object whose members
// are named by names.Record*; the key and the hash are omitted when empty.
type fastRecord struct {
	Config  string
	Token   string
	Until   int64  // ms since the epoch
	Key     string // the token set's key in sessionStorage
	Hash    int64  // setHash of the stored token set
	Session []byte // getSession's answer, JSON
	Origins []string
}

func (r *fastRecord) encode() []byte {
	var o jsonv.Object
	o.String(names.RecordConfig, r.Config)
	o.String(names.RecordToken, r.Token)
	o.Int(names.RecordUntil, r.Until)
	if r.Key != "" {
		o.String(names.RecordTokensKey, r.Key)
	}
	if r.Hash != 0 {
		o.Int(names.RecordHash, r.Hash)
	}
	if r.Session != nil {
		o.Raw(names.RecordSession, r.Session)
	}
	if origins, err := jsonv.Marshal(r.Origins); err == nil && r.Origins != nil {
		o.Raw(names.RecordOrigins, origins)
	}
	return o.Bytes()
}

// publish is the client's oauth.Options.OnToken.
func (f *fastPath) publish(token string, until time.Time) {
	if f.off || token == "" || !until.After(time.Now()) {
		f.withdraw()
		return
	}
	rec := fastRecord{Config: f.config, Token: token, Until: until.UnixMilli(), Session: f.session, Origins: f.origins}
	if f.store != nil {
		// Published synchronously with the write or read of the set: what
		// is stored now is the set the token comes from.
		set, ok, err := f.store.Get(f.key)
		if err != nil || !ok || !strings.Contains(set, token) {
			f.withdraw()
			return
		}
		rec.Key, rec.Hash = f.key, setHash(set)
	}
	raw := rec.encode()
	// The loader may have refused the last one (it came during a
	// configure): hand it over again; only the storage write is skipped.
	if f.store != nil && string(raw) != f.last {
		if err := f.store.Set(names.FastRecordKey, string(raw)); err != nil {
			f.withdraw()
			return
		}
	}
	f.last = string(raw)
	loaderToken(js.ValueOf(f.last), f.store != nil)
}

// note is the client's oauth.Options.OnSession: the session published
// with the next token.
func (f *fastPath) note(s oauth.Session) {
	f.session = nil
	if s.LoggedIn {
		f.session, _ = jsonv.Marshal(sessionObject(s))
	}
}

// withdraw stops the fast path: nothing may be served without Go.
func (f *fastPath) withdraw() {
	f.last = ""
	if f.store != nil {
		f.store.Remove(names.FastRecordKey)
	}
	loaderToken(js.Null(), false)
}

// setHash is a 53-bit hash (cyrb53) of s's UTF-16 code units, the
// JavaScript string the loader reads: web/gopkce.js computes the same.
// It detects a changed token set, not an adversary (the page that could
// forge one can read the tokens anyway).
func setHash(s string) int64 {
	h1, h2 := uint32(names.HashSeed1), uint32(names.HashSeed2)
	add := func(c uint32) {
		h1 = (h1 ^ c) * names.HashMul1
		h2 = (h2 ^ c) * names.HashMul2
	}
	for _, r := range s {
		if r >= 0x10000 { // a surrogate pair in UTF-16
			add(0xd800 + (uint32(r-0x10000) >> 10))
			add(0xdc00 + (uint32(r-0x10000) & 0x3ff))
		} else {
			add(uint32(r))
		}
	}
	h1 = (h1 ^ h1>>16) * names.HashMix1
	h1 ^= (h2 ^ h2>>13) * names.HashMix2
	h2 = (h2 ^ h2>>16) * names.HashMix1
	h2 ^= (h1 ^ h1>>13) * names.HashMix2
	return int64(h2&0x1fffff)<<32 | int64(h1)
}

// loaderToken hands a record (or null) to the loader.
func loaderToken(raw js.Value, stored bool) {
	callLoader(names.HookToken, raw, stored)
}
