package app

import (
	"net"
	"net/http"
	"net/url"
)

// canonicalLoopback sends a browser that opened the site as localhost to
// the loopback address the site is configured with (SiteURL), keeping the
// path and query: http://localhost:8080/ and http://127.0.0.1:8080/ are
// two origins (RFC 6454 §4), and the redirect URI, SiteURL + "/callback",
// names one of them. A login started on the other would store its state
// in that origin's sessionStorage, which the callback cannot read. Only
// GET and HEAD are redirected; any other request is served as it is.
// It is nil when SiteURL is not a loopback IP address with a port.
func canonicalLoopback(siteURL string) func(w http.ResponseWriter, r *http.Request) bool {
	u, err := url.Parse(siteURL)
	if err != nil || u.Port() == "" {
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return nil
	}
	alias := net.JoinHostPort("localhost", u.Port())
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Host != alias || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			return false
		}
		http.Redirect(w, r, siteURL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		return true
	}
}
