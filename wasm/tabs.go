//go:build js && wasm

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"syscall/js"
	"time"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// Duplicated tabs. A browser's "Duplicate tab" copies sessionStorage, so a
// duplicate starts with the same refresh token as a live tab. Each tab keeps
// an id in sessionStorage; at start-up a page that finds an id asks on a
// BroadcastChannel whether a live tab holds it. If one answers, this page
// is a duplicate: it takes a new id and forgets its copy of the refresh
// token (the access token is kept until it expires). Refreshes wait for the
// answer, so the copied refresh token is never sent.

const (
	tabKey          = "gopkce:tab"
	duplicateWindow = 150 * time.Millisecond
)

var (
	tabOnce      sync.Once
	tabDone      = make(chan struct{})
	tabDuplicate bool
)

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// detectDuplicate starts the check once per page.
func detectDuplicate(logins webStorage) {
	tabOnce.Do(func() {
		bcClass := js.Global().Get("BroadcastChannel")
		if !bcClass.Truthy() {
			close(tabDone)
			return
		}
		var mu sync.Mutex
		id, had, _ := logins.Get(tabKey)
		if !had {
			id = randomID()
			logins.Set(tabKey, id)
		}
		instance := randomID()
		answered := make(chan struct{}, 1)
		bc := bcClass.New("gopkce:tabs")
		bc.Set("onmessage", js.FuncOf(func(_ js.Value, args []js.Value) any {
			d := arg0(args).Get("data")
			if d.Type() != js.TypeObject || d.Get("t").Type() != js.TypeString {
				return nil
			}
			mu.Lock()
			mine := id
			mu.Unlock()
			switch d.Get("t").String() {
			case "hello":
				if d.Get("id").String() == mine && d.Get("from").String() != instance {
					msg := js.Global().Get("Object").New()
					msg.Set("t", "mine")
					msg.Set("to", d.Get("from"))
					bc.Call("postMessage", msg)
				}
			case "mine":
				if d.Get("to").String() == instance {
					select {
					case answered <- struct{}{}:
					default:
					}
				}
			}
			return nil
		}))
		if !had {
			close(tabDone)
			return
		}
		hello := js.Global().Get("Object").New()
		hello.Set("t", "hello")
		hello.Set("id", id)
		hello.Set("from", instance)
		bc.Call("postMessage", hello)
		go func() {
			defer close(tabDone)
			select {
			case <-answered:
				mu.Lock()
				id = randomID()
				logins.Set(tabKey, id)
				mu.Unlock()
				tabDuplicate = true
			case <-time.After(duplicateWindow):
			}
		}()
	})
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
