package protocol

// Code is an error code: the "error" of an OAuth error response
// (RFC 6749 §5.2), the code of a gopkce error in JavaScript (Error.code),
// or the code of a token handler's refusal. Every code gopkce uses is
// declared here, so that its own codes and the registered ones are kept
// apart in one place.
type Code string

// Error codes registered for OAuth 2.0 and OpenID Connect error responses.
// A provider's code becomes the code of a gopkce error only when it is one
// of these ([Code.Registered]).
const (
	// RFC 6749 §4.1.2.1 (authorization) and §5.2 (token endpoint).
	InvalidRequest          Code = "invalid_request"
	UnauthorizedClient      Code = "unauthorized_client"
	AccessDenied            Code = "access_denied"
	UnsupportedResponseType Code = "unsupported_response_type"
	InvalidScope            Code = "invalid_scope"
	ServerError             Code = "server_error"
	TemporarilyUnavailable  Code = "temporarily_unavailable"
	InvalidClient           Code = "invalid_client"
	InvalidGrant            Code = "invalid_grant"
	UnsupportedGrantType    Code = "unsupported_grant_type"
	// RFC 7009 §2.2.1 (revocation).
	UnsupportedTokenType Code = "unsupported_token_type"
	// OpenID Connect Core 1.0 §3.1.2.6.
	InteractionRequired      Code = "interaction_required"
	LoginRequired            Code = "login_required"
	AccountSelectionRequired Code = "account_selection_required"
	ConsentRequired          Code = "consent_required"
	InvalidRequestURI        Code = "invalid_request_uri"
	InvalidRequestObject     Code = "invalid_request_object"
	RequestNotSupported      Code = "request_not_supported"
	RequestURINotSupported   Code = "request_uri_not_supported"
	RegistrationNotSupported Code = "registration_not_supported"
	// RFC 9449 §5 (DPoP).
	InvalidDPoPProof Code = "invalid_dpop_proof"
	UseDPoPNonce     Code = "use_dpop_nonce"
)

// The client core's own codes, which reach JavaScript as Error.code (the
// core also uses [LoginRequired] and [InvalidGrant], which mean there what
// they mean for a provider). The core documents each one where it exports
// it (oauth.CodeInvalidConfig and so on).
const (
	InvalidConfig     Code = "invalid_config"
	InvalidArgument   Code = "invalid_argument"
	StateMismatch     Code = "state_mismatch"
	NoPendingLogin    Code = "no_pending_login"
	InvalidCallback   Code = "invalid_callback"
	IssuerMismatch    Code = "issuer_mismatch"
	InvalidLoginState Code = "invalid_login_state"
	NetworkError      Code = "network_error"
	InvalidIDToken    Code = "invalid_id_token"
	StorageError      Code = "storage_error"
	InternalError     Code = "internal_error"
	ProviderError     Code = "provider_error"
	InvalidDiscovery  Code = "invalid_discovery"
	OriginNotAllowed  Code = "origin_not_allowed"
	// InsufficientUserAuthentication is RFC 9470 §3's WWW-Authenticate
	// error, which the core passes on with what the API asked for.
	InsufficientUserAuthentication Code = "insufficient_user_authentication"
	// InvalidUserinfo: the UserInfo endpoint's answer is refused.
	InvalidUserinfo Code = "invalid_userinfo"
	// InvalidResponse is both sides': an answer that is not a token
	// response (RFC 6749 §5.1), or a provider error code that is not well
	// formed.
	InvalidResponse Code = "invalid_response"
)

// The token handler's own codes (it also answers [InvalidRequest],
// [UnsupportedGrantType], [TemporarilyUnavailable], [ServerError] and
// [InvalidResponse]). The cookie codes stay in its log: the browser
// receives [InvalidGrant] for them. The handler documents each one where
// it exports it (tokenhandler.CodeForbidden and so on).
const (
	Forbidden        Code = "forbidden"
	MethodNotAllowed Code = "method_not_allowed"
	NotFound         Code = "not_found"
	BodyTooLarge     Code = "body_too_large"
	CookieMissing    Code = "cookie_missing"
	CookieInvalid    Code = "cookie_invalid"
	CookieExpired    Code = "cookie_expired"
	// The backend for frontend's: the proxy answers TokenExpired (JSON,
	// HTTP 401) when the access token it holds has expired, for it never
	// refreshes behind the page's back: the page refreshes once under its
	// cross-tab lock and retries once. TokensOnServer is the core's
	// getToken refusal in that mode; UpstreamRedirect an API that answered
	// a redirect, which is not followed with the token; RouteNotAllowed a
	// URL under no route of the proxy's allow-list.
	TokenExpired     Code = "token_expired"
	TokensOnServer   Code = "tokens_on_server"
	UpstreamRedirect Code = "upstream_redirect"
	RouteNotAllowed  Code = "route_not_allowed"
)

// Registered reports whether c is one of the codes registered for OAuth
// 2.0 and OpenID Connect error responses (the first block above).
func (c Code) Registered() bool {
	switch c {
	case InvalidRequest, UnauthorizedClient, AccessDenied, UnsupportedResponseType,
		InvalidScope, ServerError, TemporarilyUnavailable, InvalidClient, InvalidGrant,
		UnsupportedGrantType, UnsupportedTokenType,
		InteractionRequired, LoginRequired, AccountSelectionRequired, ConsentRequired,
		InvalidRequestURI, InvalidRequestObject, RequestNotSupported,
		RequestURINotSupported, RegistrationNotSupported,
		InvalidDPoPProof, UseDPoPNonce:
		return true
	}
	return false
}

// WellFormed reports whether c has the shape of a real OAuth error code:
// at most 64 characters of lower-case letters, digits, "_", "." and "-".
// RFC 6749 §5.2 allows more, but real codes are short lower-case words,
// and a provider's code that passes this test cannot put markup, spaces or
// arbitrary text into an error, a log line or a page.
func (c Code) WellFormed() bool {
	if c == "" || len(c) > 64 {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b == '.' || b == '-') {
			return false
		}
	}
	return true
}
