//go:build js && wasm

package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/oauth"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// fetchTransport is an oauth.Transport over window.fetch. Redirects are not
// followed (redirect: "manual" gives an opaque response, reported as 302),
// no cookies are sent except to a same-origin token handler, nothing is
// cached, and the request is aborted
// through an AbortController when ctx ends.
type fetchTransport struct{}

func (fetchTransport) RoundTrip(ctx context.Context, r *oauth.Request) (*oauth.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ac := js.Global().Get("AbortController").New()
	headers := js.Global().Get("Headers").New()
	for k, v := range r.Header {
		headers.Call("set", k, v)
	}
	init := js.Global().Get("Object").New()
	init.Set("method", r.Method)
	init.Set("headers", headers)
	init.Set("redirect", "manual")
	init.Set("cache", "no-store")
	if r.SameOriginCredentials {
		// The token handler: its cookie goes along, and strict-origin keeps
		// the Origin header that it checks (no-referrer would send
		// "Origin: null") while the Referer carries no path or query.
		init.Set("credentials", "same-origin")
		init.Set("mode", "same-origin")
		init.Set("referrerPolicy", "strict-origin")
	} else {
		init.Set("credentials", "omit")
		init.Set("referrerPolicy", "no-referrer")
	}
	init.Set("signal", ac.Get("signal"))
	if r.Body != nil {
		body := js.Global().Get("Uint8Array").New(len(r.Body))
		js.CopyBytesToJS(body, r.Body)
		init.Set("body", body)
	}
	stop := context.AfterFunc(ctx, func() { ac.Call("abort") })
	var p js.Value
	if err := catch(func() { p = js.Global().Call("fetch", r.URL, init) }); err != nil {
		stop()
		return nil, err
	}
	resp, err := await(p)
	if err != nil {
		stop()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, explainFetchError(r.URL, err)
	}
	if resp.Get("type").String() == "opaqueredirect" {
		stop()
		return &oauth.Response{Status: 302, Header: func(string) string { return "" }, Body: io.NopCloser(emptyReader{})}, nil
	}
	h := resp.Get("headers")
	header := func(name string) string {
		v := h.Call("get", name)
		if v.Type() != js.TypeString {
			return ""
		}
		return v.String()
	}
	body := &bodyReader{stop: stop}
	if b := resp.Get("body"); b.Truthy() {
		body.reader = b.Call("getReader")
	}
	return &oauth.Response{Status: resp.Get("status").Int(), Header: header, Body: body}, nil
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, io.EOF }

// bodyReader streams a fetch Response body, so that the caller's size cap
// stops reading a huge body instead of buffering it.
type bodyReader struct {
	reader js.Value // ReadableStreamDefaultReader, or undefined
	buf    []byte
	done   bool
	stop   func() bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	for len(b.buf) == 0 {
		if b.done || b.reader.IsUndefined() {
			return 0, io.EOF
		}
		chunk, err := await(b.reader.Call("read"))
		if err != nil {
			return 0, err
		}
		if chunk.Get("done").Bool() {
			b.done = true
			continue
		}
		v := chunk.Get("value")
		b.buf = make([]byte, v.Get("length").Int())
		js.CopyBytesToGo(b.buf, v)
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

func (b *bodyReader) Close() error {
	b.stop()
	if !b.done && !b.reader.IsUndefined() {
		// cancel() returns a Promise; its outcome does not matter.
		b.reader.Call("cancel").Call("catch", js.Global().Get("Boolean"))
		b.done = true
	}
	return nil
}

// fetchError is a fetch that got no response at all. fetch rejects with a
// bare TypeError ("Failed to fetch" in Chromium, "NetworkError when
// attempting to fetch resource" in Firefox, "fetch failed" in Node) for a
// CORS refusal, a network that is down and a refused connection alike, and
// the page cannot tell which: the message names the likely causes.
type fetchError struct {
	origin string
	err    error
}

func (e *fetchError) Error() string {
	return e.err.Error() + ": no response from " + e.origin + "; most likely it does not allow CORS from this page's origin (the browser console names the blocked request), or the browser is offline"
}

func (e *fetchError) Unwrap() error { return e.err }

// explainFetchError wraps fetch's TypeError in a fetchError.
func explainFetchError(rawURL string, err error) error {
	var je *jsException
	if !errors.As(err, &je) || !strings.HasPrefix(je.msg, "TypeError") {
		return err
	}
	origin := rawURL
	if u, perr := weburl.Parse(rawURL); perr == nil {
		origin = u.Scheme + "://" + u.Host
	}
	return &fetchError{origin: origin, err: err}
}
