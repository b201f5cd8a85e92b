package tokenhandler

import "net/http"

// Authenticated reports whether r carries this handler's session: a
// refresh-token cookie that opens with the handler's key and binding and
// is within its lifetime, so the browser completed a login through this
// handler and has not logged out. A server route that spends the
// server's own credentials on the user's behalf requires it (the demo's
// POST /api/m2m); it proves a login, not which user, and does not reach
// the provider.
func (h *Handler) Authenticated(r *http.Request) bool {
	_, err := h.readCookie(r, h.cfg.Now())
	return err == nil
}
