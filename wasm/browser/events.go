//go:build js && wasm

package main

import (
	"syscall/js"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// emit hands an event to the loader, which calls the page's listeners.
func emit(e oauth.Event, fromOtherTab bool) {
	detail := js.Global().Get("Object").New()
	if !e.ExpiresAt.IsZero() {
		detail.Set("expiresAt", e.ExpiresAt.UnixMilli())
	}
	if e.Code != "" {
		detail.Set("code", e.Code)
	}
	detail.Set("fromOtherTab", fromOtherTab)
	callLoader(names.HookEmit, e.Type, detail)
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
