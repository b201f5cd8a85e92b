//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// startLogin({returnTo, navigate, prompt, loginHint, maxAge, acrValues,
// acrEssential, uiLocales, extraParams}): stores a new login attempt and
// sends the browser to the provider (or, with navigate: false, returns
// the URL).
func startLogin(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	o, err := parseOptions(names.ExportStartLogin, args, startLoginOptions)
	if err != nil {
		return nil, err
	}
	lo, err := loginOptions(o)
	if err != nil {
		return nil, err
	}
	u, err := c.StartLoginWith(context.Background(), lo)
	if err != nil {
		return nil, err
	}
	if o.bool("navigate", true) {
		js.Global().Get("location").Call("assign", u)
	}
	return u, nil
}

// handleCallback(url = location.href): validates the redirect, exchanges the
// code and removes code and state from the address bar whatever the outcome.
// Resolves with {returnTo}.
func handleCallback(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	loc := js.Global().Get("location").Get("href").String()
	u := loc
	switch a := arg0(args); a.Type() {
	case js.TypeString:
		u = a.String()
	case js.TypeUndefined, js.TypeNull:
	default:
		return nil, oauth.NewError(oauth.CodeInvalidArgument, "handleCallback takes the callback URL as a string, or nothing for location.href")
	}
	res, err := c.HandleCallback(context.Background(), u)
	if u == loc {
		if clean := oauth.CleanCallbackURL(loc); clean != "" {
			h := js.Global().Get("history")
			h.Call("replaceState", h.Get("state"), "", clean)
		}
	}
	if err != nil {
		return nil, err
	}
	out := js.Global().Get("Object").New()
	out.Set("returnTo", res.ReturnTo)
	return out, nil
}

// logout({navigate}): forgets the tokens, revokes the refresh token at the
// revocation endpoint when one is configured, and visits the provider's
// logout. Resolves with the logout URL.
func logout(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	o, err := parseOptions(names.ExportLogout, args, map[string]js.Type{"navigate": js.TypeBoolean})
	if err != nil {
		return nil, err
	}
	res, err := c.Logout(context.Background())
	if err != nil {
		return nil, err
	}
	if res.RevokeError != nil {
		js.Global().Get("console").Call("warn", "gopkce: logout: the refresh token was not revoked: "+res.RevokeError.Error())
	}
	if o.bool("navigate", true) {
		js.Global().Get("location").Call("assign", res.URL)
	}
	return res.URL, nil
}
