//go:build js && wasm

package main

import (
	"context"
	"syscall/js"
)

// webLocker is an oauth.Locker over the Web Locks API: the lock is held by
// every tab of the origin, so two tabs sharing tokens never refresh
// with the same refresh token at once.
type webLocker struct{ locks js.Value }

// newLocker returns the Web Locks locker when navigator.locks exists, or
// nil so that the core falls back to a lock inside this tab only.
func newLocker() *webLocker {
	nav := js.Global().Get("navigator")
	if !nav.Truthy() || !nav.Get("locks").Truthy() {
		return nil
	}
	return &webLocker{locks: nav.Get("locks")}
}

func (l *webLocker) WithLock(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	// The lock is held until the Promise returned by the callback settles.
	acquired := make(chan js.Value, 1)
	cb := js.FuncOf(func(_ js.Value, _ []js.Value) any {
		p, resolve, _ := newPromise()
		acquired <- resolve
		return p
	})
	ac := js.Global().Get("AbortController").New()
	opts := js.Global().Get("Object").New()
	opts.Set("signal", ac.Get("signal"))
	var req js.Value
	if err := catch(func() { req = l.locks.Call("request", name, opts, cb) }); err != nil {
		cb.Release()
		return err
	}
	settled := make(chan error, 1)
	go func() {
		_, err := await(req)
		settled <- err
	}()
	select {
	case release := <-acquired:
		// Released even if fn panics: a Web Lock is held until the
		// callback's Promise settles, for every tab of the origin.
		defer func() {
			release.Invoke()
			<-settled
			cb.Release()
		}()
		return fn(ctx)
	case err := <-settled:
		cb.Release()
		return err
	case <-ctx.Done():
		ac.Call("abort")
		select {
		case release := <-acquired:
			release.Invoke()
		case <-settled:
		}
		cb.Release()
		return ctx.Err()
	}
}
