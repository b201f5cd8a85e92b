package devidp

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// Client is a registered client: public unless it has a Secret.
type Client struct {
	ID string
	// RedirectURIs are matched exactly (RFC 9700 §4.1.3).
	RedirectURIs []string
	// LogoutURIs are the allowed logout_uri values of /logout.
	LogoutURIs []string
	// Secret makes the client confidential: it must then authenticate at
	// the token and revocation endpoints (RFC 6749 §2.3.1).
	Secret string
	// AuthMethod is a confidential client's only accepted method:
	// [ClientSecretBasic] (the default) or [ClientSecretPost].
	AuthMethod string
	// Scopes are what a confidential client may ask for with the
	// client_credentials grant (RFC 6749 §4.4); none: the grant is refused.
	Scopes []string
	// AnyLoopback also accepts any http redirect or logout URI on a
	// loopback host (127.0.0.1, [::1], localhost), whatever its port and
	// path, and allows CORS from any loopback origin. RFC 8252 §7.3 lets a
	// loopback redirect URI take any port; the path is free here too, so
	// that an integrator's own page works without registering it. For
	// development only: real providers match exactly.
	AnyLoopback bool
}

// isLoopbackHTTP reports whether u is an http URL on a loopback host,
// without user information or fragment.
func isLoopbackHTTP(u string) bool {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "http" || pu.User != nil || pu.Fragment != "" || pu.Opaque != "" {
		return false
	}
	host := pu.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// allowsRedirect reports whether u is an acceptable redirect_uri.
func (c Client) allowsRedirect(u string) bool {
	return slices.Contains(c.RedirectURIs, u) || (c.AnyLoopback && isLoopbackHTTP(u))
}

// allowsLogout reports whether u is an acceptable logout_uri.
func (c Client) allowsLogout(u string) bool {
	return slices.Contains(c.LogoutURIs, u) || (c.AnyLoopback && isLoopbackHTTP(u))
}

// allowsOrigin reports whether the client's pages may call the token
// endpoint and the API from origin (CORS).
func (c Client) allowsOrigin(origin string) bool {
	if c.AnyLoopback && isLoopbackHTTP(origin) {
		return true
	}
	for _, u := range c.RedirectURIs {
		if origin == originOf(u) {
			return true
		}
	}
	return false
}

// originOf returns scheme://host of u, or "".
func originOf(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return ""
	}
	return pu.Scheme + "://" + pu.Host
}

// redirectRefusal explains a refused redirect_uri: what was received and
// what is registered, since a trailing slash or a port is the usual cause.
func (c Client) redirectRefusal(got string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "redirect_uri is not registered for client %q (exact match required)\n  received:   %q\n", c.ID, got)
	if len(c.RedirectURIs) == 0 {
		b.WriteString("  registered: none\n")
	}
	for i, u := range c.RedirectURIs {
		label := "registered:"
		if i > 0 {
			label = "            "
		}
		fmt.Fprintf(&b, "  %s %q\n", label, u)
	}
	if c.AnyLoopback {
		b.WriteString("  any http URI on 127.0.0.1, [::1] or localhost is accepted too\n")
	}
	b.WriteString("Register it (go run ./cmd/serve -redirect-uri URI), or send one of these.")
	return b.String()
}
