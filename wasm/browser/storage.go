//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
)

// webStorage is an oauth.Storage over a Web Storage object
// (sessionStorage). Exceptions (quota, storage blocked)
// come back as errors.
type webStorage struct{ s js.Value }

func (w webStorage) Get(key string) (value string, ok bool, err error) {
	err = catch(func() {
		v := w.s.Call("getItem", key)
		if v.Type() == js.TypeString {
			value, ok = v.String(), true
		}
	})
	return value, ok, err
}

func (w webStorage) Set(key, value string) error {
	return catch(func() { w.s.Call("setItem", key, value) })
}

func (w webStorage) Remove(key string) error {
	return catch(func() { w.s.Call("removeItem", key) })
}

func (w webStorage) Keys(prefix string) ([]string, error) {
	var keys []string
	err := catch(func() {
		n := w.s.Get("length").Int()
		for i := 0; i < n; i++ {
			k := w.s.Call("key", i)
			if k.Type() == js.TypeString && strings.HasPrefix(k.String(), prefix) {
				keys = append(keys, k.String())
			}
		}
	})
	return keys, err
}

// globalStorage returns window[name] (sessionStorage); the
// property getter itself throws where storage is blocked.
func globalStorage(name string) (webStorage, error) {
	var s js.Value
	err := catch(func() { s = js.Global().Get(name) })
	if err == nil && !s.Truthy() {
		err = &jsException{name + " is not available"}
	}
	return webStorage{s}, err
}
