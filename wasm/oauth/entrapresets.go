package oauth

import "strings"

// EntraSettings name a Microsoft Entra tenant for the presets
// [EntraIDPreset] and [EntraExternalIDPreset].
type EntraSettings struct {
	// Tenant is, for Entra ID, the tenant's id (a GUID), one of its
	// domains (contoso.onmicrosoft.com) or common, organizations or
	// consumers; for Entra External ID, the tenant's subdomain (contoso
	// for contoso.ciamlogin.com).
	Tenant string `json:"tenant"`
}

// entraScope is the scope the Entra presets give a configuration
// without one: offline_access is what makes Entra issue a refresh token.
const entraScope = "openid profile offline_access"

// EntraIDPreset is Microsoft Entra ID (workforce tenants):
// https://login.microsoftonline.com/<tenant>/v2.0, whose discovery
// document gives the endpoints and the issuer. For common,
// organizations and consumers the issuer carries [TenantPlaceholder],
// filled per token with its tid. Single-page apps get 24-hour refresh
// tokens ([LifetimeAzureB2CSPA]).
func EntraIDPreset(tenant string) (*Preset, error) {
	if !entraTenant(tenant, true) {
		return nil, configError("entraId.tenant", "must be the tenant's id, one of its domains, or common, organizations or consumers")
	}
	return &Preset{
		DiscoveryURL:         "https://login.microsoftonline.com/" + tenant + "/v2.0" + WellKnownPath,
		RefreshTokenLifetime: LifetimeAzureB2CSPA,
	}, nil
}

// EntraExternalIDPreset is Microsoft Entra External ID (customer
// tenants, the successor of Azure AD B2C): the authority
// https://<tenant>.ciamlogin.com/<tenant>.onmicrosoft.com/v2.0, whose
// discovery document gives the endpoints and the issuer; 24-hour SPA
// refresh tokens.
func EntraExternalIDPreset(tenant string) (*Preset, error) {
	if !entraTenant(tenant, false) {
		return nil, configError("entraExternalId.tenant", `must be the tenant's subdomain, such as "contoso" for contoso.ciamlogin.com`)
	}
	return &Preset{
		DiscoveryURL:         "https://" + tenant + ".ciamlogin.com/" + tenant + ".onmicrosoft.com/v2.0" + WellKnownPath,
		RefreshTokenLifetime: LifetimeAzureB2CSPA,
	}, nil
}

// entraTenant reports whether s can name a tenant in a host name label
// (External ID: letters, digits, dashes) or, for Entra ID, in a path
// segment (dots too, for a domain).
func entraTenant(s string, dots bool) bool {
	if s == "" || len(s) > 253 || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || dots && r == '.') {
			return false
		}
	}
	return dots || len(s) <= 63
}
