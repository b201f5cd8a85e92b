package bff

import (
	"net/http"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/server/internal/gate"
	"github.com/gopkce/gopkce/wasm/server/internal/provider"
)

// Error is a refusal of the handler or of the provider. It never holds a
// token, a code, a cookie value or the client secret. Its fields are the
// provider client's (wasm/server/internal/provider): Code, one of
// wasm/internal/protocol's or the provider's OAuth error code (RFC 6749
// §5.2); Description; Status, the HTTP status the handler answers with;
// ProviderStatus; RetryAfter, in seconds.
type Error provider.Error

func (e *Error) Error() string { return protocol.ErrorText("bff", e.Code, e.Description, nil) }

// Is matches an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// writeError answers {"error", "error_description"} (RFC 6749 §5.2).
func writeError(w http.ResponseWriter, e *Error) {
	gate.WriteError(w, e.Status, e.Code, e.Description, e.RetryAfter)
}

func writeJSON(w http.ResponseWriter, status int, v any) { gate.WriteJSON(w, status, v) }
