//go:build js && wasm

// Command browser is the gopkce browser module, web/gopkce.wasm. It only
// converts between Go and JavaScript: the flow itself is in package oauth.
// The loader (web/gopkce.js) starts it and receives its functions through
// its bind hook (names.HookBind).
package main

import (
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/internal/names"
)

// main hands the loader the module's functions, each returning a Promise,
// and keeps the module running.
func main() {
	api := js.Global().Get("Object").New()
	api.Set(names.ExportConfigure, async(configure))
	api.Set(names.ExportStartLogin, async(startLogin))
	api.Set(names.ExportHandleCallback, async(handleCallback))
	api.Set(names.ExportGetToken, async(getToken))
	api.Set(names.ExportGetClaims, async(getClaims))
	api.Set(names.ExportGetUnverifiedAccessTokenClaims, async(getUnverifiedAccessTokenClaims))
	api.Set(names.ExportGetSession, async(getSession))
	api.Set(names.ExportLogout, async(logout))
	api.Set(names.ExportAPIToken, async(apiToken))
	api.Set(names.ExportGetUserInfo, async(getUserInfo))
	if _, ok := callLoader(names.HookBind, api); !ok {
		js.Global().Get("console").Call("error", "gopkce: load gopkce.js, which starts this module")
		return
	}
	select {}
}
