package main

import (
	"context"
	"io"
	"net/http"
)

// contextTransport makes a RoundTripper that ignores the request's context
// (the Workers fetch of github.com/syumai/workers does) honour it: when the
// context ends first, RoundTrip returns its error and the late response is
// closed. http.Client.Timeout and the token handler's timeouts then work as
// natively.
type contextTransport struct{ next http.RoundTripper }

type roundTrip struct {
	resp *http.Response
	err  error
}

func (t contextTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if req.Body != nil && (req.Method == http.MethodGet || req.Method == http.MethodHead) {
		// The Workers Request refuses a body on GET and HEAD, and the
		// fetch package panics on the refusal: a GET with an empty body
		// reader (a key set's, a proxied call's) goes without one.
		req.Body.Close()
		req = req.Clone(ctx)
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
	}
	done := make(chan roundTrip, 1)
	go func() {
		resp, err := t.next.RoundTrip(req)
		done <- roundTrip{resp, err}
	}()
	select {
	case rt := <-done:
		if rt.resp != nil {
			// Reading the body ends with the context too.
			body := rt.resp.Body
			stop := context.AfterFunc(ctx, func() { body.Close() })
			rt.resp.Body = &stopBody{ReadCloser: body, stop: stop}
		}
		return rt.resp, rt.err
	case <-ctx.Done():
		go func() {
			if rt := <-done; rt.resp != nil {
				rt.resp.Body.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// stopBody releases the context hook when the body is closed.
type stopBody struct {
	io.ReadCloser
	stop func() bool
}

func (b *stopBody) Close() error {
	b.stop()
	return b.ReadCloser.Close()
}
