package oauth

import (
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// Preset is what a provider preset fills in. Values the page configures
// explicitly win over it.
type Preset struct {
	Issuer                string
	AuthorizationEndpoint string
	TokenEndpoint         string
	RevocationEndpoint    string
	LogoutEndpoint        string
	JWKSURI               string
	UserinfoEndpoint      string
	// DiscoveryURL is set when the endpoints come from a discovery document.
	DiscoveryURL         string
	RefreshTokenLifetime time.Duration
}

// cognitoRegion returns the region of a user pool id "<region>_<id>"
// (region: "us-east-1", "ap-northeast-2", ...), or "".
func cognitoRegion(poolID string) string {
	region, id, ok := strings.Cut(poolID, "_")
	parts := strings.Split(region, "-")
	if !ok || id == "" || len(parts) < 3 {
		return ""
	}
	for i, p := range parts {
		last := i == len(parts)-1
		for _, r := range p {
			if !(last && r >= '0' && r <= '9' || !last && r >= 'a' && r <= 'z') {
				return ""
			}
		}
		if p == "" {
			return ""
		}
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return region
}

// CognitoPreset is Amazon Cognito's hosted UI for a user pool: domain is
// the pool's domain ("auth.example.com" or
// "example.auth.us-east-1.amazoncognito.com", with or without https://),
// userPoolID is "<region>_<id>". It gives the endpoints /oauth2/authorize,
// /oauth2/token, /oauth2/revoke and /logout on the domain, the issuer
// https://cognito-idp.<region>.amazonaws.com/<userPoolId>, its key set
// <issuer>/.well-known/jwks.json, and Cognito's default 30-day
// refresh-token lifetime.
func CognitoPreset(domain, userPoolID string) (*Preset, error) {
	region := cognitoRegion(userPoolID)
	if region == "" {
		return nil, configError("cognito.userPoolId", `must look like "us-east-1_AbCdEf123"`)
	}
	base := strings.TrimSuffix(domain, "/")
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	if u, err := weburl.Parse(base); err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery {
		return nil, configError("cognito.domain", "must be a host name such as auth.example.com")
	}
	if err := checkURL(base); err != nil {
		return nil, configError("cognito.domain", err.Error())
	}
	issuer := "https://cognito-idp." + region + ".amazonaws.com/" + userPoolID
	return &Preset{
		Issuer:                issuer,
		AuthorizationEndpoint: base + "/oauth2/authorize",
		TokenEndpoint:         base + "/oauth2/token",
		RevocationEndpoint:    base + "/oauth2/revoke",
		LogoutEndpoint:        base + "/logout",
		JWKSURI:               issuer + "/.well-known/jwks.json",
		UserinfoEndpoint:      base + "/oauth2/userInfo",
		RefreshTokenLifetime:  LifetimeCognito,
	}, nil
}

// AzureB2CPreset is an Azure AD B2C user flow or custom policy: authority
// is the policy's ".../v2.0" URL, such as
// https://tenant.b2clogin.com/tenant.onmicrosoft.com/B2C_1_signin/v2.0.
// The endpoints come from the discovery document under it, whose issuer is
// adopted (B2C's issuer is not the authority); the refresh-token lifetime
// is the fixed 24 hours B2C gives single-page apps.
func AzureB2CPreset(authority string) (*Preset, error) {
	a := strings.TrimSuffix(authority, "/")
	if err := checkURL(a); err != nil {
		return nil, configError("azureB2C.authority", err.Error())
	}
	if u, _ := weburl.Parse(a); u.RawQuery != "" || u.ForceQuery || !strings.HasSuffix(u.Path, "/v2.0") {
		return nil, configError("azureB2C.authority", `must be the policy's URL ending in /v2.0, without a query`)
	}
	return &Preset{DiscoveryURL: a + WellKnownPath, RefreshTokenLifetime: LifetimeAzureB2CSPA}, nil
}

// countSet counts the true values.
func countSet(set ...bool) int {
	n := 0
	for _, b := range set {
		if b {
			n++
		}
	}
	return n
}

// MaxClockLeeway bounds clockLeewaySeconds.
const MaxClockLeeway = 10 * time.Minute

// applyPresets fills what a preset gives and the page left empty.
func (c *Config) applyPresets() error {
	if n := countSet(c.Cognito != nil, c.AzureB2C != nil, c.EntraID != nil, c.EntraExternalID != nil); n > 1 {
		return configError("cognito", "set one preset at most: cognito, azureB2C, entraId or entraExternalId")
	}
	var p *Preset
	var err error
	switch {
	case c.Cognito != nil:
		p, err = CognitoPreset(c.Cognito.Domain, c.Cognito.UserPoolID)
	case c.AzureB2C != nil:
		p, err = AzureB2CPreset(c.AzureB2C.Authority)
	case c.EntraID != nil:
		p, err = EntraIDPreset(c.EntraID.Tenant)
	case c.EntraExternalID != nil:
		p, err = EntraExternalIDPreset(c.EntraExternalID.Tenant)
	default:
		return nil
	}
	if err == nil && (c.EntraID != nil || c.EntraExternalID != nil) {
		fill(&c.Scope, entraScope)
	}
	if err != nil {
		return err
	}
	fill(&c.Issuer, p.Issuer)
	fill(&c.AuthorizationEndpoint, p.AuthorizationEndpoint)
	if c.TokenHandler == "" {
		fill(&c.TokenEndpoint, p.TokenEndpoint)
	}
	fill(&c.RevocationEndpoint, p.RevocationEndpoint)
	fill(&c.JWKSURI, p.JWKSURI)
	fill(&c.UserinfoEndpoint, p.UserinfoEndpoint)
	fill(&c.DiscoveryURL, p.DiscoveryURL)
	if c.EndSessionEndpoint == "" {
		fill(&c.LogoutEndpoint, p.LogoutEndpoint)
	}
	if c.RefreshTokenLifetime == 0 {
		c.RefreshTokenLifetime = p.RefreshTokenLifetime
	}
	return nil
}

// needsDiscovery reports whether the provider's discovery document is
// read: asked for, a discovery URL, an issuer without endpoints, or openid
// without a key set.
func (c *Config) needsDiscovery() bool {
	return c.Discovery || c.DiscoveryURL != "" ||
		c.AuthorizationEndpoint == "" || c.TokenEndpoint == "" && c.TokenHandler == "" ||
		c.hasOpenID() && c.JWKSURI == "" && c.BFF == "" // a backend for frontend verifies the ID token
}
