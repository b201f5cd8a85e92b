package tokenhandler

import "github.com/gopkce/gopkce/wasm/internal/protocol"

// Stable codes of the handler's own refusals. Errors the provider returns
// (RFC 6749 §5.2) keep the provider's code, such as "invalid_grant". The
// values are declared once, with the client core's, in
// wasm/internal/protocol; these names are the handler's API for them.
const (
	// CodeForbidden: a request that may be cross-site (CSRF): wrong or
	// missing Origin, missing [RequestHeader], Sec-Fetch-Site not same-origin.
	CodeForbidden = string(protocol.Forbidden)
	// CodeMethodNotAllowed: anything but POST.
	CodeMethodNotAllowed = string(protocol.MethodNotAllowed)
	// CodeNotFound: a path under the prefix that is not an endpoint.
	CodeNotFound = string(protocol.NotFound)
	// CodeInvalidRequest: a malformed form, a parameter the browser must
	// not send (client_secret, refresh_token...), a foreign redirect_uri.
	CodeInvalidRequest = string(protocol.InvalidRequest)
	// CodeUnsupportedGrantType: only authorization_code and refresh_token.
	CodeUnsupportedGrantType = string(protocol.UnsupportedGrantType)
	// CodeBodyTooLarge: the request body exceeds [MaxRequestBytes].
	CodeBodyTooLarge = string(protocol.BodyTooLarge)
	// CodeCookieMissing: a refresh without the refresh-token cookie.
	CodeCookieMissing = string(protocol.CookieMissing)
	// CodeCookieInvalid: the cookie does not open with this handler's key
	// and binding (tampered, or sealed for another client, origin or
	// provider: a foreign cookie).
	CodeCookieInvalid = string(protocol.CookieInvalid)
	// CodeCookieExpired: the refresh token is past its configured lifetime.
	CodeCookieExpired = string(protocol.CookieExpired)
	// CodeProviderUnavailable: no answer from the provider, a timeout, a
	// 5xx or a 429. Transient: the cookie is kept.
	CodeProviderUnavailable = string(protocol.TemporarilyUnavailable)
	// CodeInvalidResponse: the provider's answer is not a token response,
	// or its error code is not well formed ([protocol.Code.WellFormed]).
	CodeInvalidResponse = string(protocol.InvalidResponse)
	// CodeServerError: the handler cannot do its job (a refresh token too
	// large for a cookie, no random source).
	CodeServerError = string(protocol.ServerError)
)

// Error is a refusal of the handler or of the provider. It never holds a
// token, a code, a cookie value or the client secret: its text is safe to
// log and to send to the browser.
type Error struct {
	// Code is stable: one of the Code constants or the provider's OAuth
	// error code (RFC 6749 §5.2).
	Code string
	// Description is the provider's error_description as plain text, or
	// the handler's explanation.
	Description string
	// Status is the HTTP status the handler answers with.
	Status int
	// ProviderStatus is the provider's HTTP status, if it answered.
	ProviderStatus int
	// RetryAfter is the provider's Retry-After in seconds, if any.
	RetryAfter int
	err        error
}

func (e *Error) Error() string {
	return protocol.ErrorText("tokenhandler", e.Code, e.Description, e.err)
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.err }

// Is matches an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}
