package oauth

import (
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// Stable error codes. They reach JavaScript as Error.code. Errors the
// provider returns (RFC 6749 §4.1.2.1 and §5.2) keep the provider's code,
// such as "access_denied" or "invalid_scope", when it is a registered one.
// The values are declared once, with the token handler's, in
// wasm/internal/protocol; these names are the core's API for them.
const (
	// CodeInvalidConfig: the configuration is refused; Field names the key.
	CodeInvalidConfig = string(protocol.InvalidConfig)
	// CodeInvalidArgument: an argument to a call is refused (returnTo).
	CodeInvalidArgument = string(protocol.InvalidArgument)
	// CodeStateMismatch: the callback's state matches no pending login of
	// this tab (RFC 6749 §10.12, RFC 9700 §4.7.1). Provider text is hidden.
	CodeStateMismatch = string(protocol.StateMismatch)
	// CodeNoPendingLogin: a callback arrived in a tab that started no login.
	CodeNoPendingLogin = string(protocol.NoPendingLogin)
	// CodeInvalidCallback: the callback URL is malformed: repeated
	// parameters, implicit-flow tokens, neither code nor error.
	CodeInvalidCallback = string(protocol.InvalidCallback)
	// CodeIssuerMismatch: the callback's iss differs from the issuer the
	// login was sent to, or is missing where advertised (RFC 9207 §2.4).
	CodeIssuerMismatch = string(protocol.IssuerMismatch)
	// CodeInvalidLoginState: the stored login state is corrupt or has been
	// tampered with; it has been removed.
	CodeInvalidLoginState = string(protocol.InvalidLoginState)
	// CodeLoginRequired: no usable tokens; the user must log in again.
	CodeLoginRequired = string(protocol.LoginRequired)
	// CodeNetworkError: a transient failure (no response, timeout, HTTP 5xx
	// or 429). Nothing was deleted; retrying later may succeed.
	CodeNetworkError = string(protocol.NetworkError)
	// CodeInvalidResponse: the token endpoint answered something that is not
	// a valid token response (RFC 6749 §5.1). The body is never echoed.
	CodeInvalidResponse = string(protocol.InvalidResponse)
	// CodeInvalidGrant: the code or refresh token was refused (RFC 6749 §5.2).
	CodeInvalidGrant = string(protocol.InvalidGrant)
	// CodeInvalidIDToken: the ID token failed a check (nonce, iss, sub).
	CodeInvalidIDToken = string(protocol.InvalidIDToken)
	// CodeStorageError: the browser storage refused a read or a write.
	CodeStorageError = string(protocol.StorageError)
	// CodeInternalError: a bug in gopkce (a recovered panic). Nothing was
	// stored; the call can be retried.
	CodeInternalError = string(protocol.InternalError)
	// CodeProviderError: the provider sent an error code that is not a
	// registered OAuth or OpenID Connect code (or not well formed); the code
	// is in ProviderCode, its text in Description.
	CodeProviderError = string(protocol.ProviderError)
	// CodeInvalidDiscovery: the provider's discovery document or key set is
	// refused (another issuer, no S256, a malformed document); Field names
	// the member at fault. Nothing was redirected and nothing was stored.
	CodeInvalidDiscovery = string(protocol.InvalidDiscovery)
	// CodeOriginNotAllowed: gopkce.fetch was given a URL whose origin is not
	// one of [Config.APIOrigins]. Nothing was sent.
	CodeOriginNotAllowed = string(protocol.OriginNotAllowed)
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
	// RetryAfter is the server's Retry-After in seconds, if any: a
	// Retry-After date counts from the moment the answer arrived
	// (see [protocol.RetryAfter]).
	RetryAfter int
	msg        string
	err        error
}

func (e *Error) Error() string { return protocol.ErrorText("gopkce", e.Code, e.msg, e.err) }

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

// providerError makes the *Error for an error the provider returned.
// Provider error codes and gopkce's own share Error.Code, so they are kept
// apart by a closed list: a code the provider sends becomes Error.Code only
// when it is registered for OAuth 2.0 and OpenID Connect error responses
// ([protocol.Code.Registered]), none of which gopkce uses for its own
// failures except login_required, which means the same thing (the user
// must log in). Any other well-formed code, and in particular one of
// gopkce's own such as network_error or internal_error, becomes
// provider_error, with the provider's code in Error.ProviderCode. Whether
// a failure is transient never depends on a code the provider chose: only
// a missing response, a 5xx or a 429 is network_error.
func providerError(code, description, msg string, status int) *Error {
	e := &Error{Code: CodeProviderError, Description: protocol.PlainText(description), Status: status, msg: msg}
	if c := protocol.Code(code); c.WellFormed() {
		e.ProviderCode = code
		if c.Registered() {
			e.Code = code
		}
	}
	return e
}
