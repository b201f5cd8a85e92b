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
// never followed, whatever the client's own policy: the 3xx itself is
// returned (a token endpoint that redirects is broken, and following it
// would resend the code or the refresh token elsewhere). The zero value
// uses http.DefaultClient's transport.
type Transport struct {
	Client *http.Client
}

// New returns a Transport over c (http.DefaultClient when nil).
func New(c *http.Client) *Transport { return &Transport{Client: c} }

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// RoundTrip implements [oauth.Transport].
func (t *Transport) RoundTrip(ctx context.Context, r *oauth.Request) (*oauth.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	var c http.Client
	if t != nil && t.Client != nil {
		c = *t.Client // a copy: the caller's client keeps its own policy
	}
	c.CheckRedirect = noRedirect
	resp, err := c.Do(req)
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
