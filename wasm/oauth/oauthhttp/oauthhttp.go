// Package oauthhttp adapts net/http to the transport interface of
// [github.com/gopkce/gopkce/wasm/oauth], for native programs and tests. It
// is outside the WebAssembly module's import graph: the browser build uses
// window.fetch and must not link net/http.
package oauthhttp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"net/http"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// Transport is an [oauth.Transport] over an *http.Client. Redirects are
// never followed, whatever the client's own policy.
type Transport struct {
	Client *http.Client
}

// New returns a Transport over a copy of c (http.DefaultClient when nil)
// that does not follow redirects.
func New(c *http.Client) *Transport {
	if c == nil {
		c = http.DefaultClient
	}
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Transport{Client: &cp}
}

// RoundTrip implements [oauth.Transport].
func (t *Transport) RoundTrip(ctx context.Context, r *oauth.Request) (*oauth.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return nil, err
	}
	return &oauth.Response{Status: resp.StatusCode, Header: resp.Header.Get, Body: resp.Body}, nil
}

// Defaults fills the [oauth.Options] that the core leaves to its host, for
// a native program: Transport (over http.DefaultClient), Rand
// (crypto/rand) and SHA256 (crypto/sha256). Fields already set are kept.
func Defaults(o oauth.Options) oauth.Options {
	if o.Transport == nil {
		o.Transport = New(nil)
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.SHA256 == nil {
		o.SHA256 = SHA256
	}
	return o
}

// SHA256 is [oauth.Options.SHA256] over crypto/sha256.
func SHA256(_ context.Context, data []byte) ([32]byte, error) {
	return sha256.Sum256(data), nil
}
