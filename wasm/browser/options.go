//go:build js && wasm

package main

import (
	"slices"
	"strings"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// callOptions is the options object of one exported call, checked against
// the options that call knows: a value of the wrong type (navigate: "false")
// or an unknown name (a typo) is invalid_argument, never silently ignored.
type callOptions struct{ v js.Value }

// parseOptions reads args[0] as the options of call. Absent, undefined and
// null mean "no options".
func parseOptions(call string, args []js.Value, known map[string]js.Type) (callOptions, error) {
	o := arg0(args)
	if o.IsUndefined() || o.IsNull() {
		return callOptions{}, nil
	}
	if o.Type() != js.TypeObject || js.Global().Get("Array").Call("isArray", o).Bool() {
		return callOptions{}, oauth.NewError(oauth.CodeInvalidArgument, call+" takes an options object")
	}
	keys := js.Global().Get("Object").Call("keys", o)
	for i := 0; i < keys.Length(); i++ {
		k := keys.Index(i).String()
		want, ok := known[k]
		if !ok {
			return callOptions{}, oauth.NewError(oauth.CodeInvalidArgument, call+": unknown option "+jsQuote(k)+" (known: "+knownOptions(known)+")")
		}
		v := o.Get(k)
		if v.IsUndefined() {
			continue
		}
		if v.Type() != want {
			return callOptions{}, oauth.NewError(oauth.CodeInvalidArgument, call+": option "+k+" must be a "+want.String()+", not "+v.Type().String())
		}
	}
	return callOptions{o}, nil
}

// bool returns the boolean option name, or def when it is absent.
func (c callOptions) bool(name string, def bool) bool {
	if c.v.IsUndefined() || c.v.Type() != js.TypeObject {
		return def
	}
	if v := c.v.Get(name); v.Type() == js.TypeBoolean {
		return v.Bool()
	}
	return def
}

// string returns the string option name, or "" when it is absent.
func (c callOptions) string(name string) string {
	if c.v.IsUndefined() || c.v.Type() != js.TypeObject {
		return ""
	}
	if v := c.v.Get(name); v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

func knownOptions(known map[string]js.Type) string {
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// jsQuote quotes an option name for a message, cut to a sane length.
func jsQuote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return js.Global().Get("JSON").Call("stringify", s).String()
}
