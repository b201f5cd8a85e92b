//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
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
