package oauth

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseJWS(t *testing.T) {
	b := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, tok string
		ok        bool
	}{
		{"valid", b(`{"alg":"RS256","kid":"k"}`) + "." + b(`{"sub":"x"}`) + "." + b("sig"), true},
		{"two parts", b(`{"alg":"RS256"}`) + "." + b(`{}`), false},
		{"four parts", b(`{"alg":"RS256"}`) + "." + b(`{}`) + ".a.b", false},
		{"padding", b(`{"alg":"RS256"}`) + "=." + b(`{}`) + ".c2ln", false},
		{"header not an object", b(`[1]`) + "." + b(`{}`) + ".c2ln", false},
		{"no alg", b(`{"kid":"k"}`) + "." + b(`{}`) + ".c2ln", false},
		{"alg not a string", b(`{"alg":1}`) + "." + b(`{}`) + ".c2ln", false},
		{"crit", b(`{"alg":"RS256","crit":["exp"],"exp":1}`) + "." + b(`{}`) + ".c2ln", false},
		{"oversized", b(`{"alg":"RS256"}`) + "." + strings.Repeat("A", maxJWTBytes) + ".c2ln", false},
	} {
		if _, err := ParseJWS(tc.tok); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	if _, err := DecodeClaimsUnverified(b(`{"alg":"none"}`) + "." + b(`[]`) + "."); err == nil {
		t.Error("claims that are not an object decoded")
	}
	c, err := DecodeClaimsUnverified(b(`{"alg":"none"}`) + "." + b(`{"user_id":"12345678901234567890","n":12345678901234567890}`) + ".")
	if err != nil || c["user_id"] != "12345678901234567890" || c["n"].(interface{ String() string }).String() != "12345678901234567890" {
		t.Errorf("claims %v %v: strings and big numbers must stay exact", c, err)
	}
}

func TestParseKeySet(t *testing.T) {
	n := base64.RawURLEncoding.EncodeToString(append([]byte{0xc0}, make([]byte, 255)...)) // 2048 bits
	short := base64.RawURLEncoding.EncodeToString(append([]byte{0xc0}, make([]byte, 127)...))
	x := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	ks, err := ParseKeySet([]byte(`{"keys":[
		{"kty":"RSA","kid":"ok","n":"` + n + `","e":"AQAB"},
		{"kty":"RSA","kid":"enc","use":"enc","n":"` + n + `","e":"AQAB"},
		{"kty":"RSA","kid":"ops","key_ops":["encrypt"],"n":"` + n + `","e":"AQAB"},
		{"kty":"RSA","kid":"oaep","alg":"RSA-OAEP","n":"` + n + `","e":"AQAB"},
		{"kty":"RSA","kid":"short","n":"` + short + `","e":"AQAB"},
		{"kty":"RSA","kid":"private","n":"` + n + `","e":"AQAB","d":"AQAB"},
		{"kty":"oct","kid":"hmac","k":"c2VjcmV0"},
		{"kty":"PQC","kid":"future"},
		{"kty":"EC","kid":"ec","crv":"P-256","x":"` + x + `","y":"` + x + `"},
		{"kty":"EC","kid":"badcrv","crv":"secp256k1","x":"` + x + `","y":"` + x + `"},
		{"kty":"OKP","kid":"ed","crv":"Ed25519","x":"` + x + `"},
		{"kty":"OKP","kid":"x25519","crv":"X25519","x":"` + x + `"},
		"not an object"
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range ks.Keys {
		kids = append(kids, k.Kid)
	}
	if strings.Join(kids, ",") != "ok,ec,ed" || ks.Ignored != 10 {
		t.Fatalf("usable keys %v, %d ignored", kids, ks.Ignored)
	}
	for _, tc := range []struct{ alg, kid, want string }{
		{"RS256", "ok", "ok"}, {"PS256", "", "ok"}, {"ES256", "", "ec"}, {"ES384", "", ""},
		{"EdDSA", "ed", "ed"}, {"RS256", "ec", ""}, {"HS256", "ok", ""}, {"none", "", ""},
	} {
		k, err := ks.selectKey(tc.alg, tc.kid)
		got := ""
		if k != nil {
			got = k.Kid
		}
		if got != tc.want || err != nil {
			t.Errorf("selectKey(%s, %q) = %q %v, want %q", tc.alg, tc.kid, got, err, tc.want)
		}
	}
	ks.Keys = append(ks.Keys, JWK{Kty: "RSA", Kid: "two", Alg: "RS256", N: n, E: "AQAB"})
	if _, err := ks.selectKey("RS256", ""); err != errKeyAmbiguous {
		t.Fatalf("no kid, two RSA keys: %v", err)
	}
	if k, _ := ks.selectKey("RS256", "two"); k == nil || k.Kid != "two" {
		t.Fatal("kid does not select")
	}
	for _, bad := range []string{`[]`, `{}`, `{"keys":{}}`, `{"keys":[]} x`} {
		if _, err := ParseKeySet([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestParseDiscovery(t *testing.T) {
	good := `"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t"`
	for _, tc := range []struct{ doc, want, field string }{
		{`{` + good + `}`, "https://idp.example", ""},
		{`{` + good + `,"code_challenge_methods_supported":["S256","plain"]}`, "", ""},
		{`{` + good + `,"code_challenge_methods_supported":["plain"]}`, "", "code_challenge_methods_supported"},
		{`{` + good + `}`, "https://other.example", "issuer"},
		{`{` + good + `}`, "https://idp.example/", "issuer"},
		{`{"issuer":"https://idp.example","token_endpoint":"https://idp.example/t"}`, "", "authorization_endpoint"},
		{`{` + good + `,"jwks_uri":"http://idp.example/keys"}`, "", "jwks_uri"},
		{`{` + good + `,"end_session_endpoint":"https://idp.example/l#x"}`, "", "end_session_endpoint"},
		{`{` + good + `,"authorization_response_iss_parameter_supported":"yes"}`, "", "document"},
		{`[]`, "", "document"},
	} {
		_, err := ParseDiscovery([]byte(tc.doc), tc.want)
		var e *Error
		if tc.field == "" && err != nil || tc.field != "" && (!errorsAs(err, &e) || e.Code != CodeInvalidDiscovery || e.Field != tc.field) {
			t.Errorf("%s (want issuer %q): err = %v, want field %q", tc.doc, tc.want, err, tc.field)
		}
	}
}

func TestPresets(t *testing.T) {
	p, err := CognitoPreset("onescape.auth.ap-northeast-2.amazoncognito.com", "ap-northeast-2_AbC123")
	if err != nil {
		t.Fatal(err)
	}
	if p.Issuer != "https://cognito-idp.ap-northeast-2.amazonaws.com/ap-northeast-2_AbC123" ||
		p.JWKSURI != p.Issuer+"/.well-known/jwks.json" ||
		p.AuthorizationEndpoint != "https://onescape.auth.ap-northeast-2.amazoncognito.com/oauth2/authorize" ||
		p.TokenEndpoint != "https://onescape.auth.ap-northeast-2.amazoncognito.com/oauth2/token" ||
		p.RevocationEndpoint != "https://onescape.auth.ap-northeast-2.amazoncognito.com/oauth2/revoke" ||
		p.LogoutEndpoint != "https://onescape.auth.ap-northeast-2.amazoncognito.com/logout" || p.RefreshTokenLifetime != LifetimeCognito {
		t.Fatalf("cognito preset %+v", p)
	}
	for _, bad := range [][2]string{{"auth.example.com", "useast1_x"}, {"auth.example.com", "us-east-1_"}, {"auth.example.com/path", "us-east-1_x"}, {"http://auth.example.com", "us-east-1_x"}} {
		if _, err := CognitoPreset(bad[0], bad[1]); err == nil {
			t.Errorf("cognito %v accepted", bad)
		}
	}
	b, err := AzureB2CPreset("https://t.b2clogin.com/t.onmicrosoft.com/B2C_1_signin/v2.0/")
	if err != nil || b.DiscoveryURL != "https://t.b2clogin.com/t.onmicrosoft.com/B2C_1_signin/v2.0/.well-known/openid-configuration" || b.RefreshTokenLifetime != LifetimeAzureB2CSPA {
		t.Fatalf("b2c preset %+v %v", b, err)
	}
	if _, err := AzureB2CPreset("https://t.b2clogin.com/t.onmicrosoft.com/B2C_1_signin"); err == nil {
		t.Error("b2c authority without /v2.0 accepted")
	}
	// Through ParseConfig: explicit values win, the preset fills the rest.
	c, err := ParseConfig([]byte(`{"clientId":"c","redirectUri":"https://app.example/cb","scope":"openid",
		"cognito":{"domain":"auth.example.com","userPoolId":"us-east-1_Ab"},"tokenEndpoint":"https://proxy.example/token"}`))
	if err != nil || c.TokenEndpoint != "https://proxy.example/token" || c.AuthorizationEndpoint != "https://auth.example.com/oauth2/authorize" ||
		c.Discovery || c.JWKSURI == "" || c.LogoutEndpoint != "https://auth.example.com/logout" || c.ClockLeeway != DefaultClockLeeway {
		t.Fatalf("cognito config %+v %v", c, err)
	}
	c, err = ParseConfig([]byte(`{"clientId":"c","redirectUri":"https://app.example/cb","scope":"openid","clockLeewaySeconds":0,
		"azureB2C":{"authority":"https://t.b2clogin.com/t.onmicrosoft.com/B2C_1_signin/v2.0"}}`))
	if err != nil || !c.Discovery || c.Issuer != "" || c.ClockLeeway != 0 || c.RefreshTokenLifetime != LifetimeAzureB2CSPA {
		t.Fatalf("b2c config %+v %v", c, err)
	}
	for _, bad := range []string{
		`{"clientId":"c","redirectUri":"https://app.example/cb","scope":"openid","authorizationEndpoint":"https://a.example/a","tokenEndpoint":"https://a.example/t","jwksUri":"https://a.example/k"}`,
		`{"clientId":"c","redirectUri":"https://app.example/cb","cognito":{"domain":"a.example","userPoolId":"us-east-1_A","extra":1}}`,
		`{"clientId":"c","redirectUri":"https://app.example/cb","issuer":"https://a.example","clockLeewaySeconds":3600}`,
		`{"clientId":"c","redirectUri":"https://app.example/cb","discovery":true}`,
	} {
		if _, err := ParseConfig([]byte(bad)); code(err) != CodeInvalidConfig {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}
