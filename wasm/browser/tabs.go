//go:build js && wasm

package main

import (
	"context"
	"encoding/base64"
	"sync"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// Duplicated tabs. A browser's "Duplicate tab" copies sessionStorage, so a
// duplicate starts with the same refresh token as a live tab. Each page
// keeps its tab's id in sessionStorage (names.TabKey) and holds a Web Lock
// named after it (names.TabLockPrefix + id) for as long as it lives. At
// start-up a page that finds an id asks navigator.locks.query() whether
// the lock is held: held means a live tab owns the id, so this page is a
// duplicate. It takes a new id and forgets its copy of the refresh token
// (the access token is kept until it expires). Refreshes wait for the
// answer, so the copied refresh token is never sent.
//
// A reload or a navigation in the same tab is not a duplicate, but the
// previous page may not have released its lock yet when the next one asks
// (measured in Chromium: a same-tab navigation saw the lock still held).
// So a page that leaves (pagehide) releases its lock and marks the id as
// handed on, in the tab's own sessionStorage (names.TabLeavingKey); the
// next page of the tab finds the mark, knows the id is its own, and
// decides at once, without a query and without a time-out. A duplicate
// never finds the mark: the live tab it copied has not left.

var (
	tabOnce      sync.Once
	tabDone      = make(chan struct{})
	tabDuplicate bool
)

func randomID() string {
	b := make([]byte, 12)
	cryptoRand{}.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// detectDuplicate starts the check once per page. Where Web Locks are
// missing nothing is detected: the tab keeps its copy.
func detectDuplicate(logins webStorage) {
	tabOnce.Do(func() {
		locks := js.Undefined()
		if nav := js.Global().Get("navigator"); nav.Truthy() {
			locks = nav.Get("locks")
		}
		if !locks.Truthy() {
			close(tabDone)
			return
		}
		id, had, _ := logins.Get(names.TabKey)
		handedOn, _, _ := logins.Get(names.TabLeavingKey)
		logins.Remove(names.TabLeavingKey)
		if !had {
			id = randomID()
			logins.Set(names.TabKey, id)
		}
		t := &tab{locks: locks, logins: logins, id: id}
		if !had || handedOn == id {
			close(tabDone) // a new tab, or this tab's previous page
			t.hold()
			return
		}
		go func() {
			defer close(tabDone)
			if t.heldElsewhere() {
				t.id = randomID()
				logins.Set(names.TabKey, t.id)
				tabDuplicate = true
			}
			t.hold()
		}()
	})
}

// tab is this page's hold on its tab id.
type tab struct {
	locks   js.Value
	logins  webStorage
	id      string
	release js.Value // resolves the Promise that keeps the lock
}

// heldElsewhere reports whether another live page holds this id's lock.
func (t *tab) heldElsewhere() bool {
	var q js.Value
	if catch(func() { q = t.locks.Call("query") }) != nil {
		return false
	}
	state, err := await(q)
	if err != nil {
		return false
	}
	held := state.Get("held")
	for i := 0; i < held.Length(); i++ {
		if held.Index(i).Get("name").String() == names.TabLockPrefix+t.id {
			return true
		}
	}
	return false
}

// hold takes the id's lock for the life of the page (queued behind a
// previous page that has not released it yet), and hands it on at pagehide.
func (t *tab) hold() {
	keep := js.FuncOf(func(js.Value, []js.Value) any {
		p, resolve, _ := newPromise()
		t.release = resolve
		return p
	})
	catch(func() { t.locks.Call("request", names.TabLockPrefix+t.id, keep) })
	js.Global().Call("addEventListener", "pagehide", js.FuncOf(func(js.Value, []js.Value) any {
		t.logins.Set(names.TabLeavingKey, t.id)
		if t.release.Truthy() {
			t.release.Invoke()
			t.release = js.Undefined()
		}
		return nil
	}))
	js.Global().Call("addEventListener", "pageshow", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if arg0(args).Get("persisted").Truthy() { // back from the back/forward cache
			t.logins.Remove(names.TabLeavingKey)
			catch(func() { t.locks.Call("request", names.TabLockPrefix+t.id, keep) })
		}
		return nil
	}))
}

// duplicateGuard holds refreshes of session-stored tokens until the
// duplicate check has answered, and drops a duplicate's refresh token first.
type duplicateGuard struct {
	inner oauth.Locker
	once  sync.Once
	drop  func()
}

func (g *duplicateGuard) settle() {
	<-tabDone
	g.once.Do(func() {
		if tabDuplicate {
			g.drop()
		}
	})
}

func (g *duplicateGuard) WithLock(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	g.settle()
	return g.inner.WithLock(ctx, name, fn)
}
