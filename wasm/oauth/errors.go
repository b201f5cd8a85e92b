package oauth

import (
	"strings"
	"time"
	"unicode"
)

// Stable error codes. They reach JavaScript as Error.code. Errors the
// provider returns (RFC 6749 §4.1.2.1 and §5.2) keep the provider's code,
// such as "access_denied" or "invalid_scope".
const (
	// CodeInvalidConfig: the configuration is refused; Field names the key.
	CodeInvalidConfig = "invalid_config"
	// CodeInvalidArgument: an argument to a call is refused (returnTo).
	CodeInvalidArgument = "invalid_argument"
	// CodeStateMismatch: the callback's state matches no pending login of
	// this tab (RFC 6749 §10.12, RFC 9700 §4.7.1). Provider text is hidden.
	CodeStateMismatch = "state_mismatch"
	// CodeNoPendingLogin: a callback arrived in a tab that started no login.
	CodeNoPendingLogin = "no_pending_login"
	// CodeInvalidCallback: the callback URL is malformed: repeated
	// parameters, implicit-flow tokens, neither code nor error.
	CodeInvalidCallback = "invalid_callback"
	// CodeIssuerMismatch: the callback's iss differs from the issuer the
	// login was sent to, or is missing where advertised (RFC 9207 §2.4).
	CodeIssuerMismatch = "issuer_mismatch"
	// CodeInvalidLoginState: the stored login state is corrupt or was
	// tampered with; it has been removed.
	CodeInvalidLoginState = "invalid_login_state"
	// CodeLoginRequired: no usable tokens; the user must log in again.
	CodeLoginRequired = "login_required"
	// CodeNetworkError: a transient failure (no response, timeout, HTTP 5xx
	// or 429). Nothing was deleted; retrying later may succeed.
	CodeNetworkError = "network_error"
	// CodeInvalidResponse: the token endpoint answered something that is not
	// a valid token response (RFC 6749 §5.1). The body is never echoed.
	CodeInvalidResponse = "invalid_response"
	// CodeInvalidGrant: the code or refresh token was refused (RFC 6749 §5.2).
	CodeInvalidGrant = "invalid_grant"
	// CodeInvalidIDToken: the ID token failed a check (nonce, iss, sub).
	CodeInvalidIDToken = "invalid_id_token"
	// CodeStorageError: the browser storage refused a read or a write.
	CodeStorageError = "storage_error"
	// CodeInternalError: a bug in gopkce (a recovered panic). Nothing was
	// stored; the call can be retried.
	CodeInternalError = "internal_error"
	// CodeProviderError: the provider sent an error code that is not a
	// registered OAuth or OpenID Connect code (or not well formed); the code
	// is in ProviderCode, its text in Description.
	CodeProviderError = "provider_error"
)

// Error is the one error type of gopkce. Code is stable and safe to branch
// on; Description is the provider's error_description as plain text (never
// HTML, never a link), empty when the provider sent none or when showing it
// would help an attacker (an error on a forged callback).
type Error struct {
	Code        string
	Description string
	// Field names the configuration key for CodeInvalidConfig.
	Field string
	// Status is the HTTP status of a token-endpoint response, if any.
	Status int
	// ProviderCode is the error code the provider sent, when it sent a
	// well-formed one; Code is that code only when it is a registered
	// OAuth or OpenID Connect code, provider_error otherwise.
	ProviderCode string
	// RetryAfter is the server's Retry-After in seconds, if any; a
	// Retry-After date is kept in retryAt instead.
	RetryAfter int
	retryAt    time.Time
	msg        string
	err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("gopkce: ")
	b.WriteString(e.Code)
	if e.msg != "" {
		b.WriteString(": ")
		b.WriteString(e.msg)
	}
	if e.err != nil {
		b.WriteString(": ")
		b.WriteString(e.err.Error())
	}
	return b.String()
}

// Message is the human-readable message without the code and prefix.
func (e *Error) Message() string { return strings.TrimPrefix(e.Error(), "gopkce: "+e.Code+": ") }

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.err }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, oauth.ErrLoginRequired) works through wrapping.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrLoginRequired = &Error{Code: CodeLoginRequired}
	ErrNetwork       = &Error{Code: CodeNetworkError}
	ErrInvalidConfig = &Error{Code: CodeInvalidConfig}
)

// NewError returns an *Error with a code and a message. The core, the
// binding and servers that report in the same terms all use it.
func NewError(code, msg string) *Error { return &Error{Code: code, msg: msg} }

func wrapError(code, msg string, err error) *Error { return &Error{Code: code, msg: msg, err: err} }

func configError(field, msg string) *Error {
	return &Error{Code: CodeInvalidConfig, Field: field, msg: field + ": " + msg}
}

// Provider error codes and gopkce's own share Error.Code, so they are kept
// apart by a closed list: a code the provider sends becomes Error.Code only
// when it is one of the codes registered for OAuth 2.0 and OpenID Connect
// error responses below, none of which gopkce uses for its own failures
// except login_required, which means the same thing (the user must log in).
// Any other code, and in particular one of gopkce's own such as
// network_error or internal_error, becomes provider_error, with the
// provider's code in Error.ProviderCode. Whether a failure is transient
// never depends on a code the provider chose: only a missing response, a
// 5xx or a 429 is network_error.
var registeredProviderCodes = map[string]bool{
	// RFC 6749 §4.1.2.1 (authorization) and §5.2 (token endpoint).
	"invalid_request": true, "unauthorized_client": true, "access_denied": true,
	"unsupported_response_type": true, "invalid_scope": true, "server_error": true,
	"temporarily_unavailable": true, "invalid_client": true, "invalid_grant": true,
	"unsupported_grant_type": true,
	// RFC 7009 §2.2.1 (revocation).
	"unsupported_token_type": true,
	// OpenID Connect Core §3.1.2.6.
	"interaction_required": true, "login_required": true, "account_selection_required": true,
	"consent_required": true, "invalid_request_uri": true, "invalid_request_object": true,
	"request_not_supported": true, "request_uri_not_supported": true, "registration_not_supported": true,
	// RFC 9449 §5 (DPoP).
	"invalid_dpop_proof": true, "use_dpop_nonce": true,
}

// providerError makes the *Error for an error the provider returned, with
// its code kept apart from gopkce's own (see registeredProviderCodes).
func providerError(code, description, msg string, status int) *Error {
	e := &Error{Code: CodeProviderError, Description: plainText(description), Status: status, msg: msg}
	if wellFormedCode(code) {
		e.ProviderCode = code
		if registeredProviderCodes[code] {
			e.Code = code
		}
	}
	return e
}

// wellFormedCode reports whether code is a plausible OAuth error code
// (RFC 6749 allows more, but real codes are short lower-case words), so
// that an attacker cannot choose its shape.
func wellFormedCode(code string) bool {
	if code == "" || len(code) > 64 {
		return false
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// plainText makes provider text safe to show as text: control characters are
// dropped, whitespace is collapsed and the length is capped. It does not
// escape HTML: the text must be inserted with textContent, never innerHTML.
func plainText(s string) string {
	const max = 500
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		// Bidirectional overrides could make the text read differently.
		if unicode.IsControl(r) || r == unicode.ReplacementChar || unicode.Is(unicode.Bidi_Control, r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		if b.Len() >= max {
			b.WriteString("…")
			break
		}
	}
	return b.String()
}
