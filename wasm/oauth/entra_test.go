package oauth

import (
	"strings"
	"testing"
	"time"
)

// Discovery documents shaped like Microsoft's (trimmed): single-tenant,
// multi-tenant with {tenantid}, and External ID.
const (
	entraTenantGUID   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	entraCommonDoc    = `{"token_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/token","token_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt","client_secret_basic"],"jwks_uri":"https://login.microsoftonline.com/common/discovery/v2.0/keys","response_modes_supported":["query","fragment","form_post"],"subject_types_supported":["pairwise"],"id_token_signing_alg_values_supported":["RS256"],"response_types_supported":["code","id_token","code id_token","id_token token"],"scopes_supported":["openid","profile","email","offline_access"],"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0","request_uri_parameter_supported":false,"userinfo_endpoint":"https://graph.microsoft.com/oidc/userinfo","authorization_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/authorize","device_authorization_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/devicecode","http_logout_supported":true,"frontchannel_logout_supported":true,"end_session_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/logout","claims_supported":["sub","iss","cloud_instance_name","cloud_instance_host_name","cloud_graph_host_name","msgraph_host","aud","exp","iat","auth_time","acr","nonce","preferred_username","name","tid","ver","at_hash","c_hash","email"],"kerberos_endpoint":"https://login.microsoftonline.com/common/kerberos","tenant_region_scope":null,"cloud_instance_name":"microsoftonline.com","cloud_graph_host_name":"graph.windows.net","msgraph_host":"graph.microsoft.com","rbac_url":"https://pas.windows.net"}`
	entraSingleIssuer = "https://login.microsoftonline.com/" + entraTenantGUID + "/v2.0"
	entraCIAMIssuer   = "https://" + entraTenantGUID + ".ciamlogin.com/" + entraTenantGUID + "/v2.0"
)

func entraDoc(issuer, base string) string {
	d := strings.ReplaceAll(entraCommonDoc, "https://login.microsoftonline.com/common/", base)
	return strings.Replace(d, "https://login.microsoftonline.com/{tenantid}/v2.0", issuer, 1)
}

func TestEntraPresets(t *testing.T) {
	for _, tc := range []struct {
		key, tenant, discovery string
	}{
		{"entraId", "common", "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"},
		{"entraId", "organizations", "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"},
		{"entraId", entraTenantGUID, "https://login.microsoftonline.com/" + entraTenantGUID + "/v2.0/.well-known/openid-configuration"},
		{"entraId", "contoso.onmicrosoft.com", "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"},
		{"entraExternalId", "contoso", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"},
	} {
		cfg, err := ParseConfig([]byte(`{"clientId":"c","redirectUri":"https://app.example/cb","` + tc.key + `":{"tenant":"` + tc.tenant + `"}}`))
		if err != nil {
			t.Fatalf("%s %s: %v", tc.key, tc.tenant, err)
		}
		if cfg.DiscoveryURL != tc.discovery || cfg.RefreshTokenLifetime != 24*time.Hour || cfg.Scope != "openid profile offline_access" {
			t.Errorf("%s %s: discovery %q, lifetime %v, scope %q", tc.key, tc.tenant, cfg.DiscoveryURL, cfg.RefreshTokenLifetime, cfg.Scope)
		}
	}
	// A configured scope is kept; a tenant that could change the URL is refused.
	cfg, err := ParseConfig([]byte(`{"clientId":"c","redirectUri":"https://app.example/cb","scope":"openid","entraId":{"tenant":"common"}}`))
	if err != nil || cfg.Scope != "openid" {
		t.Fatalf("scope %q, %v", cfg.Scope, err)
	}
	for _, bad := range []string{
		`"entraId":{"tenant":"evil.example/x"}`, `"entraId":{"tenant":"a?b"}`, `"entraId":{"tenant":""}`,
		`"entraExternalId":{"tenant":"contoso.evil"}`, `"entraExternalId":{"tenant":"-x"}`,
		`"entraId":{"tenant":"common"},"cognito":{"domain":"auth.example.com","userPoolId":"us-east-1_Ab1"}`,
	} {
		if _, err := ParseConfig([]byte(`{"clientId":"c","redirectUri":"https://app.example/cb",` + bad + `}`)); code(err) != CodeInvalidConfig {
			t.Errorf("%s: %v, want invalid_config", bad, err)
		}
	}
}

// The ID token's issuer against each kind of Entra discovery document:
// single-tenant and External ID literally, multi-tenant with {tenantid}
// filled from tid, never the placeholder itself.
func TestEntraIssuerRules(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	other := "0b3f1d2e-0000-4000-8000-000000000001"
	for _, tc := range []struct {
		name, doc string
		iss, tid  any
		check     string
	}{
		{"single tenant", entraDoc(entraSingleIssuer, "https://login.microsoftonline.com/"+entraTenantGUID+"/"), entraSingleIssuer, entraTenantGUID, ""},
		{"single tenant, another tenant's token", entraDoc(entraSingleIssuer, "https://login.microsoftonline.com/"+entraTenantGUID+"/"), "https://login.microsoftonline.com/" + other + "/v2.0", other, CheckIss},
		{"common, the user's tenant", entraCommonDoc, entraSingleIssuer, entraTenantGUID, ""},
		{"common, iss of another tenant than tid", entraCommonDoc, entraSingleIssuer, other, CheckIss},
		{"common, the placeholder literally", entraCommonDoc, "https://login.microsoftonline.com/{tenantid}/v2.0", "{tenantid}", CheckIss},
		{"common, the placeholder literally without tid", entraCommonDoc, "https://login.microsoftonline.com/{tenantid}/v2.0", nil, CheckIss},
		{"common, no tid", entraCommonDoc, entraSingleIssuer, nil, CheckIss},
		{"common, tid not a string", entraCommonDoc, entraSingleIssuer, Number("7"), CheckIss},
		{"common, tid with a path", entraCommonDoc, "https://login.microsoftonline.com/x/y/v2.0", "x/y", CheckIss},
		{"common, iss on another host", entraCommonDoc, "https://evil.example/" + entraTenantGUID + "/v2.0", entraTenantGUID, CheckIss},
		{"External ID", entraDoc(entraCIAMIssuer, "https://contoso.ciamlogin.com/"+entraTenantGUID+"/"), entraCIAMIssuer, entraTenantGUID, ""},
		{"External ID, workforce issuer", entraDoc(entraCIAMIssuer, "https://contoso.ciamlogin.com/"+entraTenantGUID+"/"), entraSingleIssuer, entraTenantGUID, CheckIss},
	} {
		m, err := ParseDiscovery([]byte(tc.doc), "")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if m.UserinfoEndpoint != "https://graph.microsoft.com/oidc/userinfo" {
			t.Errorf("%s: userinfo endpoint %q", tc.name, m.UserinfoEndpoint)
		}
		v := &IDTokenVerifier{Issuer: m.Issuer, ClientID: "c", Leeway: DefaultClockLeeway}
		c := map[string]any{"iss": tc.iss, "sub": "u", "aud": "c", "iat": jsonNum(now.Unix()), "exp": jsonNum(now.Unix() + 3600)}
		if tc.tid != nil {
			c["tid"] = tc.tid
		}
		err = v.CheckClaims(c, IDTokenExpect{}, now)
		if FailedCheck(err) != tc.check || (err == nil) != (tc.check == "") {
			t.Errorf("%s: err = %v, want check %q", tc.name, err, tc.check)
		}
	}
}
