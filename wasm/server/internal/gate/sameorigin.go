package gate

import (
	"net/http"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// SameOrigin refuses what may be a cross-site request (CSRF) and returns
// why, or "" when the request comes from the page at origin: the
// [protocol.RequestHeader] header must be there (a cross-origin page
// cannot send it without a CORS preflight, which the server parts never
// grant); Fetch Metadata (Sec-Fetch-Site, W3C Fetch Metadata §2.1), when
// sent, must be one same-origin; the Origin (RFC 6454 §7) must be exactly
// origin. With originOptional, a GET or HEAD may come without Origin
// (browsers send none on a same-origin GET) when it carries Sec-Fetch-Site
// same-origin.
func SameOrigin(r *http.Request, origin string, originOptional bool) string {
	if r.Header.Get(protocol.RequestHeader) != protocol.RequestHeaderValue {
		return "the " + protocol.RequestHeader + " header is missing"
	}
	sites := r.Header.Values("Sec-Fetch-Site")
	if len(sites) > 1 || len(sites) == 1 && sites[0] != "same-origin" {
		return "the request is not same-origin"
	}
	origins := r.Header.Values("Origin")
	if len(origins) == 0 && originOptional && (r.Method == http.MethodGet || r.Method == http.MethodHead) && len(sites) == 1 {
		return ""
	}
	if len(origins) != 1 || origins[0] != origin {
		return "the request's Origin is not the application's"
	}
	return ""
}
