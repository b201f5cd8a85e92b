package gate

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// WireCode is the OAuth error code the browser receives for a server
// part's code. The cookie refusals are invalid_grant (RFC 6749 §5.2: the
// refresh token is invalid or expired), so the browser module ends the
// session and asks for a login; the server part's own code stays in its
// log.
func WireCode(code string) string {
	switch protocol.Code(code) {
	case protocol.CookieMissing, protocol.CookieInvalid, protocol.CookieExpired:
		return string(protocol.InvalidGrant)
	}
	return code
}

// WriteError answers {"error", "error_description"} (RFC 6749 §5.2) with
// status, the code as [WireCode] gives it, and Retry-After in seconds
// (RFC 9110 §10.2.3) when retryAfter is positive.
func WriteError(w http.ResponseWriter, status int, code, description string, retryAfter int) {
	body := map[string]string{"error": WireCode(code)}
	if description != "" {
		body["error_description"] = description
	}
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	WriteJSON(w, status, body)
}

// WriteJSON answers v as application/json with status. It returns the
// marshalling error, before anything is written.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
	return nil
}
