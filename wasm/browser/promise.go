//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// newPromise returns a JavaScript Promise and its resolve and reject
// functions. The executor runs synchronously inside the constructor.
func newPromise() (p, resolve, reject js.Value) {
	exec := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject = args[0], args[1]
		return nil
	})
	p = js.Global().Get("Promise").New(exec)
	exec.Release()
	return p, resolve, reject
}

// await blocks the calling goroutine until p settles. It must never run on
// the goroutine of a js.FuncOf callback: that deadlocks the program, as the
// syscall/js documentation warns. Both handlers are released whichever fires.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: arg0(args)}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: jsErrorValue(arg0(args))}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	js.Global().Get("Promise").Call("resolve", p).Call("then", onOK, onErr)
	r := <-ch
	return r.v, r.err
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// jsException is a JavaScript exception or rejection reason seen from Go.
type jsException struct{ msg string }

func (e *jsException) Error() string { return e.msg }

func jsErrorValue(v js.Value) error {
	switch {
	case v.Type() == js.TypeObject && v.Get("message").Type() == js.TypeString:
		name := v.Get("name")
		msg := v.Get("message").String()
		if name.Type() == js.TypeString {
			msg = name.String() + ": " + msg
		}
		return &jsException{msg}
	case v.Type() == js.TypeString:
		return &jsException{v.String()}
	default:
		return &jsException{"JavaScript error"}
	}
}

// catch runs f and turns a thrown JavaScript exception (a panic with a
// js.Error in syscall/js) into an error.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var je js.Error
			if e, ok := r.(error); ok && errors.As(e, &je) {
				err = jsErrorValue(je.Value)
				return
			}
			err = panicError(r)
		}
	}()
	f()
	return nil
}

// toJSError makes a JavaScript Error with a stable code from a Go error:
// error.code, error.description (the provider's text, plain), error.field
// (the configuration key) and error.status (HTTP status).
func toJSError(err error) js.Value {
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		oe = &oauth.Error{Code: oauth.CodeInternalError}
		e := js.Global().Get("Error").New("gopkce: internal_error: " + err.Error())
		e.Set("name", "GopkceError")
		e.Set("code", oe.Code)
		return e
	}
	e := js.Global().Get("Error").New(err.Error())
	e.Set("name", "GopkceError")
	e.Set("code", oe.Code)
	e.Set("description", oe.Description)
	if oe.Field != "" {
		e.Set("field", oe.Field)
	}
	if oe.ProviderCode != "" {
		e.Set("providerCode", oe.ProviderCode)
	}
	if check := oauth.FailedCheck(err); check != "" {
		e.Set("check", check)
	}
	if oe.Status != 0 {
		e.Set("status", oe.Status)
	}
	if s := oauth.StepUpFrom(err); s != nil {
		setStepUp(e, s)
	}
	return e
}

// async exports fn to JavaScript as a function that returns a Promise and
// runs fn on its own goroutine, so that fn may block on fetch, locks and
// timers without deadlocking the event loop.
func async(fn func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		p, resolve, reject := newPromise()
		go func() {
			defer func() {
				if r := recover(); r != nil {
					reject.Invoke(toJSError(errors.Join(errors.New("panic"), panicError(r))))
				}
			}()
			v, err := fn(args)
			if err != nil {
				reject.Invoke(toJSError(err))
				return
			}
			resolve.Invoke(v)
		}()
		return p
	})
}

// panicError describes a recovered panic value without fmt, which the
// module does not otherwise need.
func panicError(r any) error {
	switch v := r.(type) {
	case error:
		return v
	case string:
		return errors.New(v)
	}
	return errors.New("unexpected panic")
}
