package oauth

import (
	"strconv"
	"strings"
)

// TenantPlaceholder is what the discovery documents of Microsoft Entra ID's
// multi-tenant endpoints (common, organizations, consumers) carry in
// their issuer, https://login.microsoftonline.com/{tenantid}/v2.0: each
// token's issuer names the tenant of the user who signed in.
const TenantPlaceholder = "{tenantid}"

// checkTokenIssuer compares a token's iss with the issuer exactly
// (OpenID Connect Core §3.1.3.7 item 2). An issuer with [TenantPlaceholder]
// is never matched literally: the placeholder is filled with the token's
// tid claim, which must be a tenant identifier (letters, digits and
// dashes, as Microsoft's GUIDs), and iss must equal the result, as
// Microsoft's multi-tenant validation requires.
func checkTokenIssuer(c map[string]any, issuer string) error {
	iss, ok := c["iss"].(string)
	if !ok {
		return idTokenError(CheckIss, "iss is missing or not a string")
	}
	want := issuer
	if strings.Contains(issuer, TenantPlaceholder) {
		tid, _ := c["tid"].(string)
		if !tenantID(tid) {
			return idTokenError(CheckIss, "the issuer is multi-tenant ("+TenantPlaceholder+") and tid is missing or not a tenant id")
		}
		want = strings.ReplaceAll(issuer, TenantPlaceholder, tid)
	}
	if iss != want {
		return idTokenError(CheckIss, "iss is not the issuer "+strconv.Quote(want))
	}
	return nil
}

// tenantID reports whether s can be an Entra tenant id: 1 to 64 ASCII
// letters, digits and dashes (a GUID is 36).
func tenantID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
