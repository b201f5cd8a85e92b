package protocol

// The token handler's interface, as the core sends it and the handler
// reads it (draft-ietf-oauth-browser-based-apps §6.2).
const (
	// RequestHeader is sent, with the value [RequestHeaderValue], on every
	// request to a token handler. A custom header makes a cross-origin
	// request need a CORS preflight, which the handler never grants: the
	// handler refuses a request without it (CSRF protection).
	RequestHeader      = "Gopkce-Request"
	RequestHeaderValue = "1"

	// TokenPath and LogoutPath follow the handler's prefix ("/oauth"):
	// POST /oauth/token takes grant_type=authorization_code or
	// refresh_token (RFC 6749 §4.1.3, §6); POST /oauth/logout revokes the
	// refresh token (RFC 7009) and clears the handler's cookie.
	TokenPath  = "/token"
	LogoutPath = "/logout"

	// RefreshTokenHeld is the member the handler adds to a token response
	// in place of the refresh token it keeps: true when its cookie holds
	// one, so that the browser knows it can refresh.
	RefreshTokenHeld = "refresh_token_held"
)

// GrantParam carries the browser's grant id (the login's random id, kept
// in its token set) to a token handler: on the code exchange the handler
// seals it into its cookie, and on a refresh it refuses a cookie sealed
// for another grant, so that a cookie set out of order (a refresh's answer
// arriving after a newer login's) never serves another session.
const GrantParam = "gopkce_grant"

// The backend for frontend's interface (draft-ietf-oauth-browser-based-apps
// §6.1), beside the token handler's: the same [RequestHeader], [TokenPath]
// and [LogoutPath] under its prefix ("/bff"), and these.
const (
	// SessionPath: POST /bff/session answers the session as JavaScript
	// may see it (loggedIn, expiry, the verified ID token's claims, the
	// proxy's routes), never a token.
	SessionPath = "/session"
	// SessionHandle is the member of the backend for frontend's answer to
	// a code exchange or refresh that stands for the access token it
	// keeps: a random name of this generation of the session, which
	// grants nothing, so that tabs can tell whether another one has
	// refreshed already.
	SessionHandle = "session_handle"
)
