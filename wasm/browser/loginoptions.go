//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// startLoginOptions are the options startLogin knows.
var startLoginOptions = map[string]js.Type{
	"returnTo": js.TypeString, "navigate": js.TypeBoolean,
	"prompt": js.TypeString, "loginHint": js.TypeString, "maxAge": js.TypeNumber, "acrValues": js.TypeString,
	"acrEssential": js.TypeBoolean, "uiLocales": js.TypeString, "extraParams": js.TypeObject,
}

// loginOptions reads the per-call parameters of startLogin; the core
// checks their values.
func loginOptions(o callOptions) (oauth.LoginOptions, error) {
	lo := oauth.LoginOptions{
		ReturnTo: o.string("returnTo"), Prompt: o.string("prompt"), LoginHint: o.string("loginHint"),
		ACRValues: o.string("acrValues"), ACREssential: o.bool("acrEssential", false), UILocales: o.string("uiLocales"),
	}
	if o.v.IsUndefined() {
		return lo, nil
	}
	if v := o.v.Get("maxAge"); v.Type() == js.TypeNumber {
		f := v.Float()
		if f != float64(int64(f)) {
			return lo, oauth.NewError(oauth.CodeInvalidArgument, "startLogin: maxAge must be a whole number of seconds")
		}
		n := int64(f)
		lo.MaxAge = &n
	}
	if v := o.v.Get("extraParams"); v.Type() == js.TypeObject {
		if js.Global().Get("Array").Call("isArray", v).Bool() {
			return lo, oauth.NewError(oauth.CodeInvalidArgument, "startLogin: extraParams must be an object of strings")
		}
		keys := js.Global().Get("Object").Call("keys", v)
		lo.ExtraParams = make(map[string]string, keys.Length())
		for i := 0; i < keys.Length(); i++ {
			k := keys.Index(i).String()
			p := v.Get(k)
			if p.Type() != js.TypeString {
				return lo, oauth.NewError(oauth.CodeInvalidArgument, "startLogin: extraParams."+k+" must be a string")
			}
			lo.ExtraParams[k] = p.String()
		}
	}
	return lo, nil
}

// setStepUp adds what an API's step-up challenge asked for to a
// JavaScript error: acrValues and maxAge, which startLogin takes as is.
func setStepUp(e js.Value, s *oauth.StepUp) {
	if s.ACRValues != "" {
		e.Set("acrValues", s.ACRValues)
	}
	if s.MaxAge != nil {
		e.Set("maxAge", *s.MaxAge)
	}
}

// getUserInfo(): the UserInfo endpoint's claims for the current access
// token (OpenID Connect Core §5.3), its sub checked against the ID
// token's.
func getUserInfo([]js.Value) (any, error) {
	return claimsToJS(func(c *oauth.Client) (map[string]any, error) { return c.UserInfo(context.Background()) })
}
