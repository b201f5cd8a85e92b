//go:build js && wasm

package main

import (
	"context"
	"strconv"
	"strings"
	"syscall/js"
	"time"
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
type idbStorage struct{ db js.Value }

const idbStore = "kv"

// openIDB opens (or creates) the gopkce database.
func openIDB() (idbStorage, error) {
	factory := js.Global().Get("indexedDB")
	if !factory.Truthy() {
		return idbStorage{}, &jsException{"indexedDB is not available"}
	}
	var req js.Value
	if err := catch(func() { req = factory.Call("open", "gopkce", 1) }); err != nil {
		return idbStorage{}, err
	}
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		db := req.Get("result")
		if !db.Get("objectStoreNames").Call("contains", idbStore).Bool() {
			db.Call("createObjectStore", idbStore)
		}
		return nil
	})
	defer upgrade.Release()
	req.Set("onupgradeneeded", upgrade)
	if err := waitRequest(req, "onsuccess", "onerror"); err != nil {
		return idbStorage{}, err
	}
	db := req.Get("result")
	if !db.Get("objectStoreNames").Call("contains", idbStore).Bool() {
		// Someone created the database without our store: upgrade it.
		version := db.Get("version").Int() + 1
		db.Call("close")
		req = factory.Call("open", "gopkce", version)
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
	defer done.Release()
	defer failed.Release()
	target.Set(ok, done)
	target.Set(fail, failed)
	for _, m := range more {
		target.Set(m, failed)
	}
	return <-ch
}

func (s idbStorage) tx(mode string) (js.Value, js.Value, error) {
	var tx js.Value
	if err := catch(func() { tx = s.db.Call("transaction", idbStore, mode) }); err != nil {
		return js.Value{}, js.Value{}, err
	}
	return tx, tx.Call("objectStore", idbStore), nil
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

// Claim implements oauth.Claimer: the first caller for key, in any tab of
// the origin, gets true. The read and the write happen in one readwrite
// transaction, and IndexedDB runs readwrite transactions on the same store
// one after another, in every tab, so two tabs cannot both see the key
// absent. The marker is durable: a tab that loads the same callback later
// sees it too. Markers older than a day are pruned afterwards.
func (s idbStorage) Claim(_ context.Context, key string) (bool, error) {
	tx, store, err := s.tx("readwrite")
	if err != nil {
		return false, err
	}
	first := false
	var get js.Value
	onGet := js.FuncOf(func(js.Value, []js.Value) any {
		if get.Get("result").IsUndefined() {
			first = true
			// Still inside the transaction: its success event keeps it active.
			store.Call("put", strconv.FormatInt(time.Now().UnixMilli(), 10), key)
		}
		return nil
	})
	defer onGet.Release()
	if err := catch(func() {
		get = store.Call("get", key)
		get.Set("onsuccess", onGet)
	}); err != nil {
		return false, err
	}
	if err := waitRequest(tx, "oncomplete", "onerror", "onabort"); err != nil {
		return false, err
	}
	if first {
		go s.pruneClaims(key[:strings.LastIndex(key, ":")+1])
	}
	return first, nil
}

// pruneClaims removes claim markers under prefix older than a day: a login
// state lives 15 minutes, so an older marker can guard nothing.
func (s idbStorage) pruneClaims(prefix string) {
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
