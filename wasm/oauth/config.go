package oauth

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// StorageKind says where tokens are kept. Login state (verifier, state,
// nonce) is always kept in the tab's session storage, whatever this is.
type StorageKind string

const (
	// StorageSession keeps tokens in sessionStorage: one tab, survives reloads.
	StorageSession StorageKind = "session"
	// StorageLocal keeps tokens shared by every tab of the origin. The
	// browser keeps them in IndexedDB, not in localStorage, whose writes
	// reach other tabs asynchronously (see web/doc/tabs-and-lifetimes.md).
	StorageLocal StorageKind = "local"
	// StorageMemory keeps tokens in the module's memory: gone on reload.
	StorageMemory StorageKind = "memory"
)

// Refresh-token lifetime presets. Providers do not return the refresh
// token's expiry, so it has to be configured (see [Config.RefreshTokenLifetime]).
const (
	// LifetimeCognito is Amazon Cognito's default refresh-token validity.
	LifetimeCognito = 30 * 24 * time.Hour
	// LifetimeAzureB2CSPA is the fixed (not sliding) lifetime of refresh
	// tokens issued to single-page apps by Azure AD B2C and Entra ID.
	LifetimeAzureB2CSPA = 24 * time.Hour
)

// Defaults applied by [ParseConfig] and [Config.Validate].
const (
	DefaultRefreshMargin = 60 * time.Second
	// NoRefreshMargin, as [Config.RefreshMargin], refreshes a token only once
	// it has expired (refreshMarginSeconds: 0).
	NoRefreshMargin  time.Duration = -1
	DefaultExpiresIn               = time.Hour
	DefaultTimeout                 = 15 * time.Second
)

// Config is the client configuration. It comes from the page's code (or a
// JSON document the page fetched), never from storage: a login state or a
// token set read back from storage cannot change an endpoint.
type Config struct {
	// Issuer is the provider's issuer identifier. When set, the callback's
	// iss parameter is compared with it exactly (RFC 9207 §2.4).
	Issuer string
	// AuthorizationEndpoint and TokenEndpoint are required (RFC 6749 §3).
	AuthorizationEndpoint string
	TokenEndpoint         string
	// LogoutEndpoint is Cognito's /logout (client_id and logout_uri);
	// EndSessionEndpoint is OpenID Connect RP-initiated logout
	// (client_id and post_logout_redirect_uri). At most one is set.
	LogoutEndpoint     string
	EndSessionEndpoint string
	// ClientID is the public client's identifier. There is no secret.
	ClientID string
	// RedirectURI is sent exactly as configured (RFC 6749 §3.1.2).
	RedirectURI string
	// IDTokenHint sends id_token_hint to the EndSessionEndpoint, for
	// providers that need it to end the session (OpenID Connect
	// RP-Initiated Logout §2). The ID token then appears in a URL: in the
	// browser's history and the provider's logs.
	IDTokenHint bool
	// PostLogoutRedirectURI is where the provider sends the browser after
	// logout; it defaults to the origin of RedirectURI.
	PostLogoutRedirectURI string
	// Scope is optional: Cognito grants the client's scopes when it is empty.
	Scope string
	// ExtraParams are added to the authorization request (prompt, login_hint,
	// p for B2C policies...). Protocol parameters cannot be overridden.
	ExtraParams map[string]string
	// Storage is where tokens are kept; default [StorageSession].
	Storage StorageKind
	// RefreshMargin: tokens expiring within it are refreshed first. It
	// never exceeds half the lifetime the token was issued with, so a token
	// just received is always served. 0 means [DefaultRefreshMargin];
	// [NoRefreshMargin] (negative) refreshes only once the token expired.
	RefreshMargin time.Duration
	// UseIDToken makes [Client.Token] return the ID token instead of the
	// access token, for APIs that still take it (Smokeball's did).
	UseIDToken bool
	// IssParameterSupported is the provider's
	// authorization_response_iss_parameter_supported: a callback without iss
	// is then refused (RFC 9207 §3).
	IssParameterSupported bool
	// RefreshTokenLifetime is how long a refresh token lives from the login
	// that issued it, since providers do not say (0: unknown, never expires
	// locally). See [LifetimeCognito] and [LifetimeAzureB2CSPA].
	RefreshTokenLifetime time.Duration
	// DefaultExpiresIn is the access token's lifetime when the token
	// response has no expires_in (RFC 6749 §5.1 leaves it optional).
	DefaultExpiresIn time.Duration
	// Timeout bounds each token request.
	Timeout time.Duration

	// Discovery reads the provider's endpoints from
	// {Issuer}/.well-known/openid-configuration (OpenID Connect Discovery
	// 1.0 §4). It is implied by an Issuer without endpoints, by
	// DiscoveryURL, and by openid in the scope without JWKSURI. Values
	// configured explicitly win over the document's.
	Discovery bool
	// DiscoveryURL is a discovery document outside the issuer's
	// well-known path (Azure AD B2C policies). Its issuer is adopted unless
	// Issuer is set too, in which case they must be equal.
	DiscoveryURL string
	// JWKSURI is the provider's key set (RFC 7517 §5), which the ID token's
	// signature is verified against; it comes from discovery when empty.
	JWKSURI string
	// RevocationEndpoint is the provider's token revocation endpoint
	// (RFC 7009; Cognito's /oauth2/revoke); it comes from discovery or a
	// preset when empty. [Client.Logout] revokes the refresh token there
	// before the browser leaves.
	RevocationEndpoint string
	// Cognito and AzureB2C are provider presets; see [CognitoPreset] and
	// [AzureB2CPreset]. At most one is set.
	Cognito  *CognitoSettings
	AzureB2C *AzureB2CSettings
	// EntraID and EntraExternalID are the Microsoft Entra presets; see
	// [EntraIDPreset] and [EntraExternalIDPreset].
	EntraID         *EntraSettings
	EntraExternalID *EntraSettings
	// UserinfoEndpoint is OpenID Connect's UserInfo endpoint (Core §5.3);
	// it comes from discovery or a preset (Cognito's /oauth2/userInfo)
	// when empty.
	UserinfoEndpoint string
	// ClockLeeway is the clock skew tolerated on the ID token's exp, nbf and
	// iat: [DefaultClockLeeway] unless ClockLeewaySet (a page that sets
	// clockLeewaySeconds, 0 included).
	ClockLeeway    time.Duration
	ClockLeewaySet bool
	// TokenHandler is the same-origin path of a token handler
	// (draft-ietf-oauth-browser-based-apps §6.2; the Go one is package
	// [github.com/gopkce/gopkce/wasm/server/tokenhandler]), such as "/oauth".
	// Code exchanges and refreshes then go to TokenHandler+"/token" with
	// the page's cookies and the handler's request header, logout calls
	// TokenHandler+"/logout", and JavaScript never holds a refresh token:
	// the handler keeps it in an HttpOnly cookie. TokenEndpoint is then
	// not set.
	TokenHandler string
	// BFF is the same-origin path of a backend for frontend
	// (draft-ietf-oauth-browser-based-apps §6.1; the Go one is package
	// [github.com/gopkce/gopkce/wasm/server/bff]), such as "/bff". The
	// module then works as with [Config.TokenHandler] (which validation
	// sets to the same path), but the server keeps every token: its token
	// answers carry a session handle in place of the access token, the
	// claims come from its session endpoint, [Client.Token] refuses with
	// tokens_on_server, and [Client.APIToken] maps API URLs to the
	// server's proxy routes.
	BFF string
	// APIOrigins are the origins that [Client.APIToken] (gopkce.fetch)
	// gives the token to, in serialised form (see [ParseAPIOrigin]). Empty:
	// the redirect URI's origin, the page's own, only.
	APIOrigins []string
	// DPoP binds the tokens to a key pair (RFC 9449): [DPoPIfSupported] or
	// [DPoPRequired]; [DPoPOff] (empty) sends no proof.
	DPoP DPoPMode
}

// CognitoSettings are the cognito preset's keys.
type CognitoSettings struct {
	// Domain is the user pool's hosted-UI domain.
	Domain string `json:"domain"`
	// UserPoolID is "<region>_<id>".
	UserPoolID string `json:"userPoolId"`
}

// AzureB2CSettings are the azureB2C preset's keys.
type AzureB2CSettings struct {
	// Authority is the policy's ".../v2.0" URL.
	Authority string `json:"authority"`
}

// ParseConfig decodes the JSON configuration a page passes to configure()
// and validates it. Each key is described once, in [ConfigKeys]. Unknown
// keys are refused so that a typo is not silently ignored, and any key
// that looks like a client secret is refused first, with a message about
// secrets: a browser is a public client (RFC 6749 §2.1, RFC 9700 §2.5).
// null counts as absent. Key names are exact (case-sensitive); a key given
// twice counts once, with its last value, as in a JavaScript object.
func ParseConfig(data []byte) (Config, error) {
	v, err := jsonv.Decoder{AllowDuplicates: true}.Decode(data)
	raw, ok := v.(map[string]any)
	if err != nil || !ok {
		return Config{}, &Error{Code: CodeInvalidConfig, msg: "configuration must be a JSON object"}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if looksSecret(k) {
			return Config{}, configError(k, "a client secret must never be in a browser; use a public client, or a server-side token handler for a confidential one")
		}
		if looksClientCredentials(k) {
			return Config{}, configError(k, errClientCredentials)
		}
	}
	var c Config
	for _, k := range keys {
		key, ok := configKey(k)
		if !ok {
			return Config{}, configError(k, "unknown configuration key (known: "+knownKeys()+")")
		}
		if v := raw[k]; v != nil {
			if err := key.set(&c, v); err != nil {
				return Config{}, configError(k, err.Error())
			}
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// looksSecret reports whether a configuration key names a client secret in
// any spelling: client_secret, clientSecret, "Client-Secret", secret...
func looksSecret(key string) bool {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	n := b.String()
	return strings.Contains(n, "secret") || n == "password" || strings.Contains(n, "privatekey") || strings.Contains(n, "clientassertion")
}

// errClientCredentials explains why client-credentials settings are refused.
const errClientCredentials = "the browser module runs the authorization code flow only; client credentials and other grants are machine to machine and run on a server (see the token handler page, web/doc/token-handler.md)"

// looksClientCredentials reports whether a configuration key selects a
// grant or a client credential other than the public client's: grantType,
// grant_types, clientCredentials, client_assertion_type...
func looksClientCredentials(key string) bool {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	n := b.String()
	return strings.Contains(n, "granttype") || strings.Contains(n, "clientcredential") || strings.Contains(n, "assertion") ||
		n == "tokenendpointauthmethod" || n == "clientauthentication" || n == "authstyle"
}

// reservedParams are the authorization-request parameters gopkce sets
// itself (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core §3.1.2.1,
// RFC 9101): neither ExtraParams nor the authorization endpoint's own query
// may carry them.
var reservedParams = map[string]bool{
	"response_type": true, "client_id": true, "redirect_uri": true, "state": true,
	"nonce": true, "code_challenge": true, "code_challenge_method": true, "scope": true,
	"response_mode": true, "request": true, "request_uri": true, "dpop_jkt": true,
}

// protocolParams lists, for each configured URL, the query parameters that
// belong to the protocol gopkce speaks there: a configured URL that
// carries one could override what gopkce sends, or smuggle a second value.
var protocolParams = map[string]map[string]bool{
	"authorizationEndpoint": reservedParams,
	"tokenEndpoint": {"grant_type": true, "code": true, "code_verifier": true, "redirect_uri": true,
		"refresh_token": true, "client_id": true, "scope": true},
	"revocationEndpoint": {"token": true, "token_type_hint": true, "client_id": true},
	"logoutEndpoint":     {"client_id": true, "logout_uri": true, "redirect_uri": true, "response_type": true, "state": true},
	"endSessionEndpoint": {"client_id": true, "post_logout_redirect_uri": true, "id_token_hint": true, "state": true, "logout_hint": true, "ui_locales": true},
	// The callback's own parameters (RFC 6749 §4.1.2, RFC 9207).
	"redirectUri": {"code": true, "state": true, "iss": true, "error": true, "error_description": true, "error_uri": true, "session_state": true},
}

// paramName is how a server may read a parameter name: case and
// surrounding spaces do not keep a name apart from a protocol parameter.
func paramName(k string) string { return strings.ToLower(strings.TrimSpace(k)) }

// Validate checks the configuration and fills in defaults. Endpoints and the
// redirect URI must be absolute https URLs; http is accepted only for
// loopback hosts (RFC 8252 §8.3, development).
func (c *Config) Validate() error {
	if c.ClientID == "" {
		return configError("clientId", "is required")
	}
	if err := c.applyPresets(); err != nil {
		return err
	}
	if err := c.checkBFF(); err != nil {
		return err
	}
	switch {
	case c.TokenEndpoint != "" && c.TokenHandler != "":
		return configError("tokenHandler", "set tokenEndpoint (public client) or tokenHandler (a confidential client behind a server-side token handler), not both")
	case c.TokenHandler != "":
		if err := checkHandlerPath(c.TokenHandler); err != nil {
			return configError("tokenHandler", err.Error())
		}
	}
	if c.Issuer == "" && c.DiscoveryURL == "" {
		switch {
		case c.hasOpenID():
			return configError("issuer", "is required with openid in the scope: the ID token's iss is checked against it (OpenID Connect Core §3.1.3.7)")
		case c.Discovery:
			return configError("issuer", "is required for discovery (or set discoveryUrl)")
		}
	}
	if c.Issuer != "" {
		// Checked before the discovery URL is derived from it, so that a
		// bad issuer is reported as the issuer.
		if err := checkURL(c.Issuer); err != nil {
			return configError("issuer", err.Error())
		}
	}
	if (c.Issuer != "" || c.DiscoveryURL != "") && c.needsDiscovery() {
		if c.DiscoveryURL == "" {
			c.DiscoveryURL = DiscoveryURL(c.Issuer)
		}
		c.Discovery = true
	} else {
		if c.AuthorizationEndpoint == "" {
			return configError("authorizationEndpoint", "is required (or configure the issuer alone, for discovery)")
		}
		if c.TokenEndpoint == "" && c.TokenHandler == "" {
			return configError("tokenEndpoint", "is required (or tokenHandler, for a confidential client behind a server; or the issuer alone, for discovery)")
		}
	}
	if c.RedirectURI == "" {
		return configError("redirectUri", "is required")
	}
	if err := checkAsBrowserWrites(c.RedirectURI); err != nil {
		return configError("redirectUri", err.Error())
	}
	if c.LogoutEndpoint != "" && c.EndSessionEndpoint != "" {
		return configError("logoutEndpoint", "set logoutEndpoint (Cognito) or endSessionEndpoint (OpenID Connect), not both")
	}
	// With discovery, the end-session endpoint may come from the document:
	// idTokenHint is then checked against it when logout runs.
	if c.IDTokenHint && c.EndSessionEndpoint == "" && (!c.Discovery || c.LogoutEndpoint != "") {
		return configError("idTokenHint", "applies to endSessionEndpoint (OpenID Connect RP-initiated logout), which is neither set nor discovered")
	}
	for _, f := range []struct{ name, v string }{
		{"authorizationEndpoint", c.AuthorizationEndpoint},
		{"tokenEndpoint", c.TokenEndpoint},
		{"redirectUri", c.RedirectURI},
		{"revocationEndpoint", c.RevocationEndpoint},
		{"logoutEndpoint", c.LogoutEndpoint},
		{"endSessionEndpoint", c.EndSessionEndpoint},
		{"postLogoutRedirectUri", c.PostLogoutRedirectURI},
		{"discoveryUrl", c.DiscoveryURL},
		{"jwksUri", c.JWKSURI},
		{"userinfoEndpoint", c.UserinfoEndpoint},
	} {
		if f.v == "" {
			continue
		}
		if err := checkURL(f.v); err != nil {
			return configError(f.name, err.Error())
		}
		if p := smuggledParam(f.v, protocolParams[f.name]); p != "" {
			return configError(f.name, "carries the protocol parameter "+strconv.Quote(p)+" in its query; gopkce sets it itself")
		}
	}
	for k, v := range c.ExtraParams {
		if err := checkExtraParam(k, v); err != nil {
			return configError("extraParams."+k, err.Error())
		}
	}
	switch c.Storage {
	case "":
		c.Storage = StorageSession
		if c.TokenHandler != "" {
			c.Storage = StorageLocal
		}
	case StorageSession, StorageLocal, StorageMemory:
	default:
		return configError("storage", `must be "session", "local" or "memory"`)
	}
	if c.TokenHandler != "" && c.Storage != StorageLocal {
		// The handler keeps one refresh token per browser, in a cookie every
		// tab sends: a login in one tab replaces it for all, and refreshes
		// from tabs with tokens of their own would race on it.
		return configError("storage", `must be "local" (the default) with tokenHandler: the refresh token is one cookie shared by every tab, so the session is too`)
	}
	if c.DPoP != DPoPOff && c.TokenHandler != "" {
		return configError("dpop", "applies to a public client: with tokenHandler the handler, a confidential client, holds the refresh token")
	}
	if c.DPoP != DPoPOff && c.UseIDToken {
		return configError("dpop", `binds the access token; useToken "id_token" sends the ID token, which DPoP does not bind`)
	}
	if c.RefreshMargin == 0 {
		c.RefreshMargin = DefaultRefreshMargin
	}
	if c.DefaultExpiresIn == 0 {
		c.DefaultExpiresIn = DefaultExpiresIn
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if !c.ClockLeewaySet && c.ClockLeeway == 0 {
		c.ClockLeeway = DefaultClockLeeway
	}
	if c.ClockLeeway < 0 || c.ClockLeeway > MaxClockLeeway {
		return configError("clockLeewaySeconds", "must be between 0 and 600 seconds")
	}
	if c.PostLogoutRedirectURI == "" {
		u, _ := weburl.Parse(c.RedirectURI) // checked above
		c.PostLogoutRedirectURI = u.Scheme + "://" + u.Host + "/"
	}
	return nil
}

// smuggledParam returns the first query parameter of rawURL that is one of
// reserved once read as a server reads names, or "". rawURL has passed
// checkURL.
func smuggledParam(rawURL string, reserved map[string]bool) string {
	u, err := weburl.Parse(rawURL)
	if err != nil {
		return "(a URL that does not parse)"
	}
	q, err := weburl.ParseQuery(u.RawQuery)
	if err != nil {
		return "(a query that does not parse)"
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if reserved[paramName(k)] {
			return k
		}
	}
	return ""
}

// checkURL accepts an absolute https URL, or http on a loopback host,
// without user information or fragment. What [weburl.Parse] refuses is
// refused (spaces, control characters, backslashes, percent-encoded
// hosts, "https:host").
func checkURL(s string) error {
	u, err := weburl.Parse(s)
	if errors.Is(err, weburl.ErrUserinfo) {
		return plainError("must not carry user credentials")
	}
	if err != nil {
		return plainError("must be an absolute URL (" + strings.TrimPrefix(err.Error(), "weburl: ") + ")")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return plainError("has a port out of range (1 to 65535)")
		}
	}
	if u.HasFragment {
		return plainError("must not have a fragment (RFC 6749 §3.1.2)")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if protocol.IsLoopback(u.Hostname()) {
			return nil
		}
		return plainError("must use https (http is allowed only for localhost, 127.0.0.1 and [::1])")
	default:
		return plainError("must use https")
	}
}

// hasOpenID reports whether the scope asks for OpenID Connect.
func (c *Config) hasOpenID() bool {
	for _, s := range strings.Fields(c.Scope) {
		if s == "openid" {
			return true
		}
	}
	return false
}

// sessionKey names the storage entries and the lock of this client and
// provider, so two configurations never read each other's tokens.
func (c *Config) sessionKey() string {
	iss := c.Issuer
	if iss == "" {
		iss = c.TokenEndpoint
	}
	if iss == "" {
		iss = c.TokenHandler
	}
	if iss == "" {
		iss = c.DiscoveryURL // B2C: the issuer is only known from the document
	}
	return c.ClientID + "@" + iss
}

// checkAsBrowserWrites refuses a URL whose origin the browser writes
// otherwise (WHATWG URL): the callback's location.href would never match
// it, and the provider compares redirect_uri as sent (RFC 6749 §3.1.2), so
// it is not rewritten but refused, with the form to configure and
// register instead.
func checkAsBrowserWrites(s string) error {
	u, err := weburl.Parse(s)
	if err != nil {
		return nil // checkURL says why
	}
	canon, err := u.CanonicalOrigin()
	if err != nil {
		return plainError("is not a URL a browser can load (" + strings.TrimPrefix(err.Error(), "weburl: ") + ")")
	}
	if canon != u.Origin() {
		return plainError("is written " + strconv.Quote(u.Origin()) + " but the browser writes that origin " + strconv.Quote(canon) + ": configure (and register at the provider) " + strconv.Quote(canon+strings.TrimPrefix(s, s[:len(schemeAndHost(s))])))
	}
	return nil
}

// schemeAndHost is s up to the end of its authority.
func schemeAndHost(s string) string {
	i := strings.Index(s, "//")
	if i < 0 {
		return s
	}
	end := strings.IndexAny(s[i+2:], "/?#")
	if end < 0 {
		return s
	}
	return s[:i+2+end]
}
