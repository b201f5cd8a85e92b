package protocol

import (
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// IsLoopback reports whether host, a URL's host without brackets or port,
// names the local machine: "localhost" in any case (RFC 6761 §6.3; host
// names are case-insensitive, RFC 3986 §3.2.2), or an address in
// 127.0.0.0/8 or ::1, written as [weburl.IsLoopbackIP] accepts it (no
// IPv6 zones). It decides where plain http is allowed (RFC 8252 §8.3,
// RFC 9700 §2.6): endpoints, API origins, the token handler's origin.
func IsLoopback(host string) bool {
	return strings.EqualFold(host, "localhost") || weburl.IsLoopbackIP(host)
}
