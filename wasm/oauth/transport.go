package oauth

import (
	"context"
	"io"
)

// Request is an HTTP request as the token endpoint needs it: always a POST of
// a form, with no credentials (no cookies, no Authorization header, so no
// CORS preflight).
type Request struct {
	Method string
	URL    string
	// Header holds request headers; keys are canonical (Content-Type).
	Header map[string]string
	Body   []byte
	// SameOriginCredentials sends the page's cookies (fetch credentials
	// "same-origin"): only to a same-origin token handler. Requests to the
	// provider send none.
	SameOriginCredentials bool
}

// Response is what a [Transport] returns. Redirects must not be followed:
// a transport returns the 3xx itself (RFC 9700 §4.11 is about the
// authorization endpoint; a token endpoint that redirects is broken).
type Response struct {
	Status int
	// Header returns a response header by case-insensitive name.
	Header func(name string) string
	// Body is read by the caller with a size cap and always closed.
	Body io.ReadCloser
}

// Transport performs one HTTP round trip. The browser binding implements it
// with window.fetch; [github.com/gopkce/gopkce/wasm/oauth/oauthhttp]
// implements it with net/http for native programs and tests. It returns an
// error only when no response was received (network failure, timeout,
// cancelled context).
type Transport interface {
	RoundTrip(ctx context.Context, req *Request) (*Response, error)
}

// TransportFunc adapts a function to [Transport].
type TransportFunc func(ctx context.Context, req *Request) (*Response, error)

// RoundTrip calls f.
func (f TransportFunc) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	return f(ctx, req)
}
