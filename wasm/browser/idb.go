//go:build js && wasm

package main

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// idbStorage is an oauth.Storage over IndexedDB, used for tokens shared by
// every tab (storage "local"). localStorage is not enough there: Chromium
// propagates a localStorage write to other renderer processes
// asynchronously, so a tab that takes the refresh lock just after another
// tab stored a rotated refresh token can still read the old one, send it,
// and make a rotating provider revoke the grant. An IndexedDB transaction
// that has completed is visible to every transaction that starts after it,
// in every tab, and a write here returns only once its transaction has
// completed.
//
// The database is names.DBName, with one object store, names.DBStore, of
// string values under string keys.
type idbStorage struct{ db js.Value }

var (
	sharedOnce sync.Once
	shared     oauth.Storage
	sharedErr  error
)

// sharedStorage is the token storage shared by every tab, opened once per
// page.
func sharedStorage() (oauth.Storage, error) {
	sharedOnce.Do(func() { shared, sharedErr = openIDB() })
	return shared, sharedErr
}

// openIDB opens (or creates) the gopkce database, or takes the connection
// the loader opened while the module was being compiled (web/gopkce.js,
// warmDatabase).
func openIDB() (idbStorage, error) { return openIDBFrom(takeLoaderDB()) }

// openIDBFrom uses the loader's connection warm (a Promise from
// takeLoaderDB) when it has our store, and opens the database otherwise.
func openIDBFrom(warm js.Value) (idbStorage, error) {
	if db, ok := adoptDB(warm); ok {
		return idbStorage{db: db}, nil
	}
	factory := js.Global().Get("indexedDB")
	if !factory.Truthy() {
		return idbStorage{}, &jsException{"indexedDB is not available"}
	}
	var req js.Value
	if err := catch(func() { req = factory.Call("open", names.DBName, names.DBVersion) }); err != nil {
		return idbStorage{}, err
	}
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		db := req.Get("result")
		if !db.Get("objectStoreNames").Call("contains", names.DBStore).Bool() {
			db.Call("createObjectStore", names.DBStore)
		}
		return nil
	})
	defer upgrade.Release()
	req.Set("onupgradeneeded", upgrade)
	if err := waitRequest(req, "onsuccess", "onerror"); err != nil {
		return idbStorage{}, err
	}
	db := req.Get("result")
	if !db.Get("objectStoreNames").Call("contains", names.DBStore).Bool() {
		// Someone created the database without our store: upgrade it.
		version := db.Get("version").Int() + 1
		db.Call("close")
		req = factory.Call("open", names.DBName, version)
		req.Set("onupgradeneeded", upgrade)
		if err := waitRequest(req, "onsuccess", "onerror"); err != nil {
			return idbStorage{}, err
		}
		db = req.Get("result")
	}
	// Let a later version (another deployment) upgrade instead of blocking.
	closer := js.FuncOf(func(js.Value, []js.Value) any { db.Call("close"); return nil })
	db.Set("onversionchange", closer)
	return idbStorage{db: db}, nil
}

// takeLoaderDB takes the loader's connection: a Promise of an
// IDBDatabase (or of null), or null when the loader opened none.
func takeLoaderDB() js.Value {
	db, ok := callLoader(names.HookTakeDB)
	if !ok {
		return js.Null()
	}
	return db
}

// adoptDB waits for the loader's connection and keeps it when it has our
// store; the loader has already set its onversionchange.
func adoptDB(warm js.Value) (js.Value, bool) {
	if !warm.Truthy() {
		return js.Value{}, false
	}
	db, err := await(warm)
	if err != nil || !db.Truthy() {
		return js.Value{}, false
	}
	var ok bool
	if catch(func() { ok = db.Get("objectStoreNames").Call("contains", names.DBStore).Bool() }) != nil || !ok {
		db.Call("close")
		return js.Value{}, false
	}
	return db, true
}

// waitRequest blocks until target fires ok or fail (IDBRequest or
// IDBTransaction events). Never call it on a js.FuncOf goroutine.
func waitRequest(target js.Value, ok, fail string, more ...string) error {
	ch := make(chan error, 1)
	done := js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case ch <- nil:
		default:
		}
		return nil
	})
	failed := js.FuncOf(func(js.Value, []js.Value) any {
		msg := "IndexedDB request failed"
		if e := target.Get("error"); e.Truthy() {
			msg = jsErrorValue(e).Error()
		}
		select {
		case ch <- &jsException{msg}:
		default:
		}
		return nil
	})
	defer func() {
		// Another of the events may still fire: it must find no handler
		// rather than a released one.
		for _, name := range append([]string{ok, fail}, more...) {
			target.Set(name, js.Null())
		}
		done.Release()
		failed.Release()
	}()
	target.Set(ok, done)
	target.Set(fail, failed)
	for _, m := range more {
		target.Set(m, failed)
	}
	return <-ch
}

func (s idbStorage) tx(mode string) (js.Value, js.Value, error) {
	return s.txWith(mode, js.Undefined())
}

// txWith opens a transaction with options (IDBTransactionOptions), or
// undefined for the defaults.
func (s idbStorage) txWith(mode string, options js.Value) (js.Value, js.Value, error) {
	var tx js.Value
	if err := catch(func() { tx = s.db.Call("transaction", names.DBStore, mode, options) }); err != nil {
		return js.Value{}, js.Value{}, err
	}
	return tx, tx.Call("objectStore", names.DBStore), nil
}

func (s idbStorage) Get(key string) (string, bool, error) {
	_, store, err := s.tx("readonly")
	if err != nil {
		return "", false, err
	}
	req := store.Call("get", key)
	if err := waitRequest(req, "onsuccess", "onerror"); err != nil {
		return "", false, err
	}
	v := req.Get("result")
	if v.Type() != js.TypeString {
		return "", false, nil
	}
	return v.String(), true, nil
}

// write runs one put or delete and returns when its transaction completed.
func (s idbStorage) write(op func(store js.Value)) error {
	tx, store, err := s.tx("readwrite")
	if err != nil {
		return err
	}
	if err := catch(func() { op(store) }); err != nil {
		return err
	}
	return waitRequest(tx, "oncomplete", "onerror", "onabort")
}

func (s idbStorage) Set(key, value string) error {
	return s.write(func(store js.Value) { store.Call("put", value, key) })
}

func (s idbStorage) Remove(key string) error {
	return s.write(func(store js.Value) { store.Call("delete", key) })
}

func (s idbStorage) Keys(prefix string) ([]string, error) {
	_, store, err := s.tx("readonly")
	if err != nil {
		return nil, err
	}
	req := store.Call("getAllKeys")
	if err := waitRequest(req, "onsuccess", "onerror"); err != nil {
		return nil, err
	}
	all := req.Get("result")
	var keys []string
	for i := 0; i < all.Length(); i++ {
		if k := all.Index(i); k.Type() == js.TypeString && strings.HasPrefix(k.String(), prefix) {
			keys = append(keys, k.String())
		}
	}
	return keys, nil
}

// Redeem implements oauth.Redeemer: the first caller for key, in any tab of
// the origin, gets true. The marker is written with add, which fails with
// ConstraintError when the key exists: the check and the write are one
// request in one readwrite transaction, and IndexedDB runs readwrite
// transactions on the same store one after another, in every tab, so two
// tabs cannot both add it. The whole transaction is issued at once, with
// no handler to run in this page before it can commit. The marker is
// durable: a tab that loads the same callback later sees it too. Markers
// older than a day are pruned later, once the callback is long over.
//
// The transaction's durability is "relaxed": it completes once the write
// has reached the browser's database, without waiting for the disk to
// confirm it (a flush that, measured here, also delayed the token request
// that follows by about 2 ms). Relaxed durability changes nothing for
// other tabs: they read the same database, and see the marker the moment
// the transaction completes. Only a power loss within moments of the
// redemption could forget it, and a second exchange of the code is then refused by
// the provider anyway (codes are single use).
func (s idbStorage) Redeem(_ context.Context, key string) (bool, error) {
	opts := js.Global().Get("Object").New()
	opts.Set("durability", "relaxed")
	tx, store, err := s.txWith("readwrite", opts)
	if err != nil {
		return false, err
	}
	var add js.Value
	if err := catch(func() { add = store.Call("add", strconv.FormatInt(time.Now().UnixMilli(), 10), key) }); err != nil {
		return false, err
	}
	if tx.Get("commit").Type() == js.TypeFunction {
		// Commit with the add, instead of after its success event has
		// reached this page: one round trip less (measured: the
		// redemption completes about 0.9 ms sooner).
		tx.Call("commit")
	}
	done := make(chan error, 1)
	send := func(err error) {
		select {
		case done <- err:
		default:
		}
	}
	complete := js.FuncOf(func(js.Value, []js.Value) any { send(nil); return nil })
	failed := js.FuncOf(func(js.Value, []js.Value) any {
		e := add.Get("error")
		if !e.Truthy() {
			e = tx.Get("error")
		}
		if e.Truthy() && e.Get("name").String() == "ConstraintError" {
			send(errRedeemed)
		} else if e.Truthy() {
			send(jsErrorValue(e))
		} else {
			send(&jsException{"IndexedDB transaction aborted"})
		}
		return nil
	})
	tx.Set("oncomplete", complete)
	tx.Set("onabort", failed)
	add.Set("onerror", failed) // the add's ConstraintError then aborts the transaction
	err = <-done
	tx.Set("oncomplete", js.Null())
	tx.Set("onabort", js.Null())
	add.Set("onerror", js.Null())
	complete.Release()
	failed.Release()
	if err == errRedeemed {
		return false, nil // redeemed before, here or in another tab
	}
	if err != nil {
		return false, err
	}
	s.schedulePrune(key)
	return true, nil
}

// schedulePrune prunes the old markers beside key later. Not now: the
// token request that follows is sent at once, and the prune would compete
// with it for the browser's database thread and this page's main thread.
func (s idbStorage) schedulePrune(key string) {
	time.AfterFunc(pruneDelay, func() { s.pruneMarkers(key[:strings.LastIndex(key, ":")+1]) })
}

// errRedeemed: the redemption marker exists.
var errRedeemed = &jsException{"ConstraintError: the key exists"}

// pruneDelay is how long after a redemption the old markers are pruned.
const pruneDelay = 5 * time.Second

// pruneMarkers removes redemption markers under prefix older than a day: a
// login state lives 15 minutes, so an older marker can guard nothing.
func (s idbStorage) pruneMarkers(prefix string) {
	keys, err := s.Keys(prefix)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-24 * time.Hour).UnixMilli()
	for _, k := range keys {
		v, ok, err := s.Get(k)
		if ms, perr := strconv.ParseInt(v, 10, 64); err == nil && ok && (perr != nil || ms < cutoff) {
			s.Remove(k)
		}
	}
}
