package oauth

// checkRedirectOrigin refuses a login whose redirect URI is on another
// origin than the page that starts it ([Options.PageOrigin]). The
// verifier, state and nonce are kept in the page origin's sessionStorage
// (RFC 7636 §4.1, RFC 6749 §10.12), which the callback page can read only
// on the same origin: http://localhost:8080 and http://127.0.0.1:8080 are
// two origins (RFC 6454 §4), and the callback on the other one would end
// in no_pending_login after the user signed in. The error names both
// origins, before anything is stored or redirected.
func (c *Client) checkRedirectOrigin() error {
	page := c.opts.PageOrigin
	if page == "" {
		return nil
	}
	redirect, err := requestOrigin(c.cfg.RedirectURI)
	if err != nil || redirect == page {
		return nil // Validate refused any redirect URI without an origin
	}
	return configError("redirectUri", "its origin "+redirect+" is not this page's origin "+page+
		": the callback would not find the login this page stores (sessionStorage is per origin). "+
		"Open the page at "+redirect+", or set redirectUri to location.origin + \"/callback\"")
}
