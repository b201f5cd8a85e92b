package oauth

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
)

// ConfigKey describes one key of the JSON configuration that the page
// passes to configure(). The table [configKeys] below is the only place a
// key is described: [ParseConfig] reads every key through it, the list of
// known keys in its error messages comes from it, and tests hold
// web/gopkce.d.ts (the Config interface), web/doc/configuration.md's table
// and cmd/serve's configuration to it.
//
// To add a key: add a field to [Config], add one entry to configKeys, then
// run `go test ./wasm/oauth -run TestConfigKeyDocs -args -update` to rewrite
// the configuration page's table and the Config interface of gopkce.d.ts from it.
type ConfigKey struct {
	// Name is the JSON key, in camelCase.
	Name string
	// Type is the key's type as TypeScript spells it in gopkce.d.ts
	// ("string", "boolean", "number", `"a" | "b"`...).
	Type string
	// Required keys have no default; the configuration page shows "required".
	Required bool
	// Default is the configuration page's "default" column, in Markdown.
	Default string
	// Doc is one line of Markdown: the configuration page's "meaning" column and the
	// doc comment in gopkce.d.ts.
	Doc string
	// set stores the decoded JSON value (never nil: null means absent) in
	// c, or says why it does not fit.
	// Its error is a message that follows the key's name.
	set func(c *Config, v any) error
}

// keyType is a JSON type with its TypeScript spelling and its decoder.
type keyType struct {
	ts  string
	set func(c *Config, v any) error
}

// configKeys is the configuration, one key per entry, in the order the
// configuration page and gopkce.d.ts list them.
var configKeys = []ConfigKey{
	{Name: "authorizationEndpoint", Default: "from discovery or a preset",
		Doc:  "https, or http on localhost / 127.0.0.1 / [::1] only",
		Type: tString, set: setString(func(c *Config) *string { return &c.AuthorizationEndpoint })},
	{Name: "tokenEndpoint", Default: "from discovery or a preset; required without `tokenHandler`",
		Doc:  "https, or http on localhost / 127.0.0.1 / [::1] only; the provider must allow CORS from the page's origin",
		Type: tString, set: setString(func(c *Config) *string { return &c.TokenEndpoint })},
	{Name: "tokenHandler", Default: "none",
		Doc:  "same-origin path of a server-side token handler (`\"/oauth\"`) for a confidential client, instead of `tokenEndpoint`: it holds the secret and keeps the refresh token in an HttpOnly cookie",
		Type: tString, set: setString(func(c *Config) *string { return &c.TokenHandler })},
	{Name: "bff", Default: "none",
		Doc:  "same-origin path of a server-side backend for frontend (`\"/bff\"`), instead of `tokenEndpoint` or `tokenHandler`: it holds the secret and every token; `getToken` refuses with `tokens_on_server`, and `gopkce.fetch` sends API calls through its proxy",
		Type: tString, set: setString(func(c *Config) *string { return &c.BFF })},
	{Name: "clientId", Required: true,
		Doc:  "the public client (there is no secret in a browser)",
		Type: tString, set: setString(func(c *Config) *string { return &c.ClientID })},
	{Name: "redirectUri", Required: true,
		Doc:  "sent exactly as given; the callback URL must be the same URL (scheme, host, port and path; host case, a default port and an empty path as `/` do not matter); an origin the browser writes otherwise (`http://[0:0:0:0:0:0:0:1]`, `:0443`, `http://127.1`) is refused with the form to use",
		Type: tString, set: setString(func(c *Config) *string { return &c.RedirectURI })},
	{Name: "issuer", Default: "none",
		Doc:  "compared exactly with the callback's `iss` (RFC 9207) and the ID token's (required with `openid`); alone, without endpoints, it means discovery; also names the storage keys and the lock",
		Type: tString, set: setString(func(c *Config) *string { return &c.Issuer })},
	{Name: "discovery", Default: "`false`",
		Doc:  "read `{issuer}/.well-known/openid-configuration`, lazily (never during `configure`): implied by an issuer without endpoints, by `discoveryUrl`, and by `openid` without `jwksUri`; explicit values win; a document naming another issuer, or without S256, is refused",
		Type: tBoolean, set: setBool(func(c *Config) *bool { return &c.Discovery })},
	{Name: "discoveryUrl", Default: "none",
		Doc:  "a discovery document under another path (Azure AD B2C policies); its issuer is adopted unless `issuer` is set, which it must then equal",
		Type: tString, set: setString(func(c *Config) *string { return &c.DiscoveryURL })},
	{Name: "jwksUri", Default: "from discovery or a preset",
		Doc:  "the provider's key set, which ID token signatures are verified against",
		Type: tString, set: setString(func(c *Config) *string { return &c.JWKSURI })},
	{Name: "revocationEndpoint", Default: "from discovery or a preset",
		Doc:  "token revocation (RFC 7009; Cognito `/oauth2/revoke`): `logout` revokes the refresh token there before it navigates",
		Type: tString, set: setString(func(c *Config) *string { return &c.RevocationEndpoint })},
	{Name: "cognito", Default: "none",
		Doc:  "Amazon Cognito preset: hosted-UI endpoints on `domain`, issuer `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, its `jwks.json`, 30-day refresh tokens",
		Type: "{ domain: string; userPoolId: string }", set: func(c *Config, v any) error {
			m, err := objectOfStrings(v, "domain", "userPoolId")
			c.Cognito = &CognitoSettings{Domain: m["domain"], UserPoolID: m["userPoolId"]}
			return err
		}},
	{Name: "azureB2C", Default: "none",
		Doc:  "Azure AD B2C preset: discovery under `authority` (the policy's `.../v2.0` URL), 24-hour SPA refresh tokens",
		Type: "{ authority: string }", set: func(c *Config, v any) error {
			m, err := objectOfStrings(v, "authority")
			c.AzureB2C = &AzureB2CSettings{Authority: m["authority"]}
			return err
		}},
	{Name: "entraId", Default: "none",
		Doc:  "Microsoft Entra ID preset (workforce): discovery under `https://login.microsoftonline.com/<tenant>/v2.0`; `tenant` is the tenant's id, a domain, `common`, `organizations` or `consumers` (the ID token's `iss` is then checked with its `tid`); scope `openid profile offline_access` when none is set; 24-hour SPA refresh tokens",
		Type: "{ tenant: string }", set: func(c *Config, v any) error {
			m, err := objectOfStrings(v, "tenant")
			c.EntraID = &EntraSettings{Tenant: m["tenant"]}
			return err
		}},
	{Name: "entraExternalId", Default: "none",
		Doc:  "Microsoft Entra External ID preset: discovery under `https://<tenant>.ciamlogin.com/<tenant>.onmicrosoft.com/v2.0`; `tenant` is the subdomain; scope `openid profile offline_access` when none is set; 24-hour SPA refresh tokens",
		Type: "{ tenant: string }", set: func(c *Config, v any) error {
			m, err := objectOfStrings(v, "tenant")
			c.EntraExternalID = &EntraSettings{Tenant: m["tenant"]}
			return err
		}},
	{Name: "userinfoEndpoint", Default: "from discovery or a preset",
		Doc:  "OpenID Connect UserInfo endpoint (Core §5.3; Cognito `/oauth2/userInfo`), read by `getUserInfo`",
		Type: tString, set: setString(func(c *Config) *string { return &c.UserinfoEndpoint })},
	{Name: "clockLeewaySeconds", Default: "`300`",
		Doc:  "clock skew tolerated on the ID token's `exp`, `nbf` and `iat` (at most 600)",
		Type: tNumber, set: func(c *Config, v any) (err error) {
			c.ClockLeeway, err = jsonSeconds(v)
			c.ClockLeewaySet = true
			return err
		}},
	{Name: "issParameterSupported", Default: "`false`",
		Doc:  "the provider always sends `iss` (its `authorization_response_iss_parameter_supported`): a callback without it is refused",
		Type: tBoolean, set: setBool(func(c *Config) *bool { return &c.IssParameterSupported })},
	{Name: "scope", Default: "none",
		Doc:  "space-separated; `openid` adds a nonce that is checked in the ID token",
		Type: tString, set: setString(func(c *Config) *string { return &c.Scope })},
	{Name: "extraParams", Default: "none",
		Doc:  "more authorization parameters (`prompt`, `login_hint`, ...); protocol parameters cannot be overridden",
		Type: "Record<string, string>", set: setStringMap(func(c *Config) *map[string]string { return &c.ExtraParams })},
	{Name: "logoutEndpoint", Default: "none",
		Doc:  "Cognito `/logout` (`client_id`, `logout_uri`)",
		Type: tString, set: setString(func(c *Config) *string { return &c.LogoutEndpoint })},
	{Name: "endSessionEndpoint", Default: "none",
		Doc:  "OpenID Connect logout (`client_id`, `post_logout_redirect_uri`)",
		Type: tString, set: setString(func(c *Config) *string { return &c.EndSessionEndpoint })},
	{Name: "idTokenHint", Default: "`false`",
		Doc:  "send `id_token_hint` to the end-session endpoint (`endSessionEndpoint`, or the discovery document's `end_session_endpoint`, checked when logout runs), for providers that need it to end the session (Ory Hydra); the ID token then appears in a URL (history, provider logs)",
		Type: tBoolean, set: setBool(func(c *Config) *bool { return &c.IDTokenHint })},
	{Name: "postLogoutRedirectUri", Default: "origin of `redirectUri` + `/`",
		Doc:  "where the provider sends the browser after logout",
		Type: tString, set: setString(func(c *Config) *string { return &c.PostLogoutRedirectURI })},
	{Name: "storage", Default: "`\"session\"`; `\"local\"` with `tokenHandler`, which allows no other",
		Doc:  "tokens in `sessionStorage` (one tab), shared by every tab of the origin (`\"local\"`, kept in IndexedDB), or `\"memory\"`",
		Type: `"session" | "local" | "memory"`, set: setEnum(func(c *Config, s string) { c.Storage = StorageKind(s) }, "session", "local", "memory")},
	{Name: "refreshMarginSeconds", Default: "`60`",
		Doc:  "refresh when the token expires within this, capped at half the lifetime it was issued with; `0`: only once expired",
		Type: tNumber, set: setRefreshMargin},
	{Name: "useToken", Default: "`\"access_token\"`",
		Doc:  "which token `getToken` returns: `\"id_token\"` for APIs that still take the ID token",
		Type: `"access_token" | "id_token"`, set: setEnum(func(c *Config, s string) { c.UseIDToken = s == "id_token" }, "access_token", "id_token")},
	{Name: "refreshTokenLifetime", Default: "unknown",
		Doc:  "seconds, `\"cognito\"` (30 days) or `\"azure-b2c-spa\"` (24 h, fixed), counted from the login: providers do not return it",
		Type: `number | "cognito" | "azure-b2c-spa"`, set: setRefreshTokenLifetime},
	{Name: "defaultExpiresInSeconds", Default: "`3600`",
		Doc:  "the access token's lifetime when the response has no `expires_in`",
		Type: tNumber, set: setSeconds(func(c *Config) *time.Duration { return &c.DefaultExpiresIn })},
	{Name: "timeoutSeconds", Default: "`15`",
		Doc:  "timeout of each token request",
		Type: tNumber, set: setSeconds(func(c *Config) *time.Duration { return &c.Timeout })},
	{Name: "apiOrigins", Default: "the origin of `redirectUri`",
		Doc:  "the origins `gopkce.fetch` sends the token to, such as `\"https://api.example.com\"` (https, or http on loopback), compared as the browser writes origins (`http://127.1` is `http://127.0.0.1`); any other URL is refused before sending",
		Type: "string[]", set: setAPIOrigins},
	{Name: "dpop", Default: "off",
		Doc:  "bind the tokens to a non-extractable key (DPoP, RFC 9449; see the DPoP page): `\"if-supported\"` keeps a provider's Bearer token, with a `dpop_not_bound` event; `\"required\"` refuses it",
		Type: `"if-supported" | "required"`, set: setEnum(func(c *Config, s string) { c.DPoP = DPoPMode(s) }, "if-supported", "required")},
}

// ConfigKeys returns the description of every configuration key, in order.
func ConfigKeys() []ConfigKey { return append([]ConfigKey(nil), configKeys...) }

// configKey returns the description of the key name.
func configKey(name string) (ConfigKey, bool) {
	for _, k := range configKeys {
		if k.Name == name {
			return k, true
		}
	}
	return ConfigKey{}, false
}

// knownKeys is the list of key names for error messages.
func knownKeys() string {
	names := make([]string, len(configKeys))
	for i, k := range configKeys {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// The TypeScript spellings of the plain JSON types.
const (
	tString  = "string"
	tBoolean = "boolean"
	tNumber  = "number"
)

func setString(field func(*Config) *string) func(*Config, any) error {
	return func(c *Config, v any) error {
		s, ok := v.(string)
		if !ok {
			return plainError("must be a string")
		}
		*field(c) = s
		return nil
	}
}

func setBool(field func(*Config) *bool) func(*Config, any) error {
	return func(c *Config, v any) error {
		b, ok := v.(bool)
		if !ok {
			return plainError("must be a boolean (true or false)")
		}
		*field(c) = b
		return nil
	}
}

// setStringMap takes an object of strings; a null member is "", as
// encoding/json decoded it.
func setStringMap(field func(*Config) *map[string]string) func(*Config, any) error {
	return func(c *Config, v any) error {
		o, ok := v.(map[string]any)
		if !ok {
			return plainError("must be an object of strings")
		}
		m := make(map[string]string, len(o))
		for k := range o {
			if m[k], ok = jsonv.StringMember(o, k); !ok {
				return plainError("must be an object of strings")
			}
		}
		*field(c) = m
		return nil
	}
}

func setSeconds(field func(*Config) *time.Duration) func(*Config, any) error {
	return func(c *Config, v any) (err error) {
		*field(c), err = jsonSeconds(v)
		return err
	}
}

// objectOfStrings reads a JSON object whose members are among members,
// exactly spelled, and strings (null or absent: "").
func objectOfStrings(v any, members ...string) (map[string]string, error) {
	bad := plainError("must be an object with string members, and only those documented")
	o, ok := v.(map[string]any)
	if !ok {
		return nil, bad
	}
	for k := range o {
		if !slices.Contains(members, k) {
			return nil, bad
		}
	}
	out := make(map[string]string, len(members))
	for _, k := range members {
		if out[k], ok = jsonv.StringMember(o, k); !ok {
			return nil, bad
		}
	}
	return out, nil
}

// setEnum accepts one of values, as a string, and applies it.
func setEnum(apply func(*Config, string), values ...string) func(*Config, any) error {
	return func(c *Config, v any) error {
		if s, ok := v.(string); ok {
			for _, ok := range values {
				if s == ok {
					apply(c, s)
					return nil
				}
			}
		}
		return plainError("must be " + quotedList(values))
	}
}

// setRefreshMargin keeps 0 apart from absent: 0 is NoRefreshMargin.
func setRefreshMargin(c *Config, v any) error {
	d, err := jsonSeconds(v)
	if d == 0 {
		d = NoRefreshMargin
	}
	c.RefreshMargin = d
	return err
}

// setAPIOrigins takes an array of origins; a null element is "", which is
// refused as an origin.
func setAPIOrigins(c *Config, v any) error {
	list, ok := jsonv.Strings(v)
	if !ok {
		return plainError(`must be an array of origins, such as ["https://api.example.com"]`)
	}
	c.APIOrigins = nil
	for _, s := range list {
		o, err := ParseAPIOrigin(s)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return plainError(e.msg + " (got " + strconv.Quote(s) + ")")
			}
			return err
		}
		c.APIOrigins = append(c.APIOrigins, o)
	}
	return nil
}

func setRefreshTokenLifetime(c *Config, v any) error {
	presets := map[string]time.Duration{"cognito": LifetimeCognito, "azure-b2c-spa": LifetimeAzureB2CSPA}
	if preset, ok := v.(string); ok {
		d, ok := presets[preset]
		if !ok {
			return plainError(`must be a number of seconds, "cognito" or "azure-b2c-spa"`)
		}
		c.RefreshTokenLifetime = d
		return nil
	}
	var err error
	c.RefreshTokenLifetime, err = jsonSeconds(v)
	return err
}

// quotedList spells values as `"a", "b" or "c"`.
func quotedList(values []string) string {
	var b strings.Builder
	for i, v := range values {
		switch {
		case i == 0:
		case i == len(values)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(`"` + v + `"`)
	}
	return b.String()
}

type plainError string

func (e plainError) Error() string { return string(e) }

// jsonSeconds reads a number of seconds, fractions to the nanosecond,
// out of range refused.
func jsonSeconds(v any) (time.Duration, error) {
	const most = 10 * 365 * 24 * 3600
	n, _ := v.(jsonv.Number)
	sec, nsec, ok := n.Seconds()
	if !ok || sec < 0 || nsec < 0 || sec > most || sec == most && nsec > 0 {
		return 0, plainError("must be a number of seconds between 0 and ten years")
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec), nil
}
