package bff

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// Error is a refusal of the handler or of the provider. It never holds a
// token, a code, a cookie value or the client secret.
type Error struct {
	// Code is one of wasm/internal/protocol's or the provider's OAuth
	// error code (RFC 6749 §5.2).
	Code        string
	Description string
	// Status is the HTTP status the handler answers with.
	Status         int
	ProviderStatus int
	RetryAfter     int
	written        bool // the answer has been sent (a proxied body cut off)
}

func (e *Error) Error() string { return protocol.ErrorText("bff", e.Code, e.Description, nil) }

// Is matches an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// wireCode is what the browser receives: the cookie refusals are
// invalid_grant on the token endpoint (the module then ends the session),
// login_required elsewhere.
func (e *Error) wireCode() string {
	switch protocol.Code(e.Code) {
	case protocol.CookieMissing, protocol.CookieInvalid, protocol.CookieExpired:
		return string(protocol.InvalidGrant)
	}
	return e.Code
}

// writeError answers {"error", "error_description"} (RFC 6749 §5.2).
func writeError(w http.ResponseWriter, e *Error) {
	body := map[string]string{"error": e.wireCode()}
	if e.Description != "" {
		body["error_description"] = e.Description
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}
