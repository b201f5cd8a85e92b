package gate

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

func TestSameOrigin(t *testing.T) {
	const origin = "https://app.example.com"
	good := func(method string) *http.Request {
		r := httptest.NewRequest(method, origin+"/x", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set(protocol.RequestHeader, protocol.RequestHeaderValue)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		return r
	}
	for _, c := range []struct {
		name           string
		method         string
		edit           func(*http.Request)
		originOptional bool
		ok             bool
	}{
		{"same origin", "POST", func(*http.Request) {}, false, true},
		{"no Fetch Metadata (older browser)", "POST", func(r *http.Request) { r.Header.Del("Sec-Fetch-Site") }, false, true},
		{"no request header", "POST", func(r *http.Request) { r.Header.Del(protocol.RequestHeader) }, false, false},
		{"request header not 1", "POST", func(r *http.Request) { r.Header.Set(protocol.RequestHeader, "yes") }, false, false},
		{"same-site", "POST", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") }, false, false},
		{"cross-site", "POST", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, false, false},
		{"two Sec-Fetch-Site", "POST", func(r *http.Request) { r.Header.Add("Sec-Fetch-Site", "cross-site") }, false, false},
		{"foreign Origin", "POST", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }, false, false},
		{"Origin with a path", "POST", func(r *http.Request) { r.Header.Set("Origin", origin+"/") }, false, false},
		{"null Origin", "POST", func(r *http.Request) { r.Header.Set("Origin", "null") }, false, false},
		{"two Origins", "POST", func(r *http.Request) { r.Header.Add("Origin", origin) }, false, false},
		{"no Origin", "POST", func(r *http.Request) { r.Header.Del("Origin") }, false, false},
		{"no Origin on a GET, required", "GET", func(r *http.Request) { r.Header.Del("Origin") }, false, false},
		{"no Origin on an optional GET", "GET", func(r *http.Request) { r.Header.Del("Origin") }, true, true},
		{"no Origin on an optional HEAD", "HEAD", func(r *http.Request) { r.Header.Del("Origin") }, true, true},
		{"no Origin on an optional POST", "POST", func(r *http.Request) { r.Header.Del("Origin") }, true, false},
		{"no Origin nor Fetch Metadata on an optional GET", "GET", func(r *http.Request) {
			r.Header.Del("Origin")
			r.Header.Del("Sec-Fetch-Site")
		}, true, false},
		{"foreign Origin on an optional GET", "GET", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }, true, false},
	} {
		r := good(c.method)
		c.edit(r)
		if why := SameOrigin(r, origin, c.originOptional); (why == "") != c.ok {
			t.Errorf("%s: SameOrigin = %q, want ok=%v", c.name, why, c.ok)
		}
	}
}
