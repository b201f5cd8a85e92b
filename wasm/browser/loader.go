//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/internal/names"
)

// callLoader calls hook, a function of the loader's namespace object
// (names.Namespace, names.Hook*), with args. ok is false when the page has
// no loader, or one without that hook.
func callLoader(hook string, args ...any) (result js.Value, ok bool) {
	ns := js.Global().Get(names.Namespace)
	if !ns.Truthy() || ns.Get(hook).Type() != js.TypeFunction {
		return js.Undefined(), false
	}
	return ns.Call(hook, args...), true
}
