package oauth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const goodConfig = `"authorizationEndpoint":"https://auth.example.com/oauth2/authorize","tokenEndpoint":"https://auth.example.com/oauth2/token","clientId":"abc","redirectUri":"https://app.example.com/callback"`

func TestParseConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, json, field string
	}{
		{"not an object", `[]`, ""},
		{"client_secret", `{` + goodConfig + `,"client_secret":"x"}`, "client_secret"},
		{"clientSecret", `{` + goodConfig + `,"clientSecret":"x"}`, "clientSecret"},
		{"Client-Secret", `{` + goodConfig + `,"Client-Secret":"x"}`, "Client-Secret"},
		{"secret null still refused", `{` + goodConfig + `,"secret":null}`, "secret"},
		{"secret in extraParams", `{` + goodConfig + `,"extraParams":{"client_secret":"x"}}`, "extraParams.client_secret"},
		{"missing clientId", `{"authorizationEndpoint":"https://a.example/x","tokenEndpoint":"https://a.example/t","redirectUri":"https://app.example/cb"}`, "clientId"},
		{"missing tokenEndpoint", `{"authorizationEndpoint":"https://a.example/x","clientId":"c","redirectUri":"https://app.example/cb"}`, "tokenEndpoint"},
		{"missing redirectUri", `{"authorizationEndpoint":"https://a.example/x","tokenEndpoint":"https://a.example/t","clientId":"c"}`, "redirectUri"},
		{"http token endpoint", `{"authorizationEndpoint":"https://a.example/x","tokenEndpoint":"http://a.example/t","clientId":"c","redirectUri":"https://app.example/cb"}`, "tokenEndpoint"},
		{"http redirect not loopback", `{"authorizationEndpoint":"https://a.example/x","tokenEndpoint":"https://a.example/t","clientId":"c","redirectUri":"http://app.example/cb"}`, "redirectUri"},
		{"redirect with fragment", `{"authorizationEndpoint":"https://a.example/x","tokenEndpoint":"https://a.example/t","clientId":"c","redirectUri":"https://app.example/cb#x"}`, "redirectUri"},
		{"javascript redirect", `{"authorizationEndpoint":"https://a.example/x","tokenEndpoint":"https://a.example/t","clientId":"c","redirectUri":"javascript:alert(1)"}`, "redirectUri"},
		{"relative endpoint", `{"authorizationEndpoint":"/authorize","tokenEndpoint":"https://a.example/t","clientId":"c","redirectUri":"https://app.example/cb"}`, "authorizationEndpoint"},
		{"userinfo in endpoint", `{"authorizationEndpoint":"https://u:p@a.example/x","tokenEndpoint":"https://a.example/t","clientId":"c","redirectUri":"https://app.example/cb"}`, "authorizationEndpoint"},
		{"unknown key", `{` + goodConfig + `,"redirectURI":"https://app.example.com/callback"}`, "redirectURI"},
		{"wrong type", `{` + goodConfig + `,"scope":42}`, "scope"},
		{"bad storage", `{` + goodConfig + `,"storage":"cookie"}`, "storage"},
		{"bad useToken", `{` + goodConfig + `,"useToken":"refresh_token"}`, "useToken"},
		{"reserved extra param", `{` + goodConfig + `,"extraParams":{"code_challenge_method":"plain"}}`, "extraParams.code_challenge_method"},
		{"both logout styles", `{` + goodConfig + `,"logoutEndpoint":"https://a.example/logout","endSessionEndpoint":"https://a.example/end"}`, "logoutEndpoint"},
		{"negative margin", `{` + goodConfig + `,"refreshMarginSeconds":-1}`, "refreshMarginSeconds"},
		{"negative fractional margin", `{` + goodConfig + `,"refreshMarginSeconds":-0.5}`, "refreshMarginSeconds"},
		{"margin beyond ten years", `{` + goodConfig + `,"refreshMarginSeconds":315360000.5}`, "refreshMarginSeconds"},
		{"margin an exponent beyond ten years", `{` + goodConfig + `,"refreshMarginSeconds":1e9}`, "refreshMarginSeconds"},
		{"bad lifetime preset", `{` + goodConfig + `,"refreshTokenLifetime":"forever"}`, "refreshTokenLifetime"},
		// Configured URLs cannot smuggle protocol parameters.
		{"authorize response_type", `{` + goodConfig + `,"authorizationEndpoint":"https://a.example/x?response_type=token"}`, "authorizationEndpoint"},
		{"authorize code_challenge_method", `{` + goodConfig + `,"authorizationEndpoint":"https://a.example/x?p=B2C_1&code_challenge_method=plain"}`, "authorizationEndpoint"},
		{"authorize redirect_uri", `{` + goodConfig + `,"authorizationEndpoint":"https://a.example/x?redirect_uri=https://evil.example/"}`, "authorizationEndpoint"},
		{"authorize STATE", `{` + goodConfig + `,"authorizationEndpoint":"https://a.example/x?STATE=x"}`, "authorizationEndpoint"},
		{"authorize client_id", `{` + goodConfig + `,"authorizationEndpoint":"https://a.example/x?client_id=other"}`, "authorizationEndpoint"},
		{"authorize scope", `{` + goodConfig + `,"authorizationEndpoint":"https://a.example/x?scope=admin"}`, "authorizationEndpoint"},
		{"authorize nonce with spaces", `{` + goodConfig + `,"authorizationEndpoint":"https://a.example/x?%20nonce%20=n"}`, "authorizationEndpoint"},
		{"token grant_type", `{` + goodConfig + `,"tokenEndpoint":"https://a.example/t?grant_type=password"}`, "tokenEndpoint"},
		{"redirect with state", `{` + goodConfig + `,"redirectUri":"https://app.example.com/callback?state=x"}`, "redirectUri"},
		{"logout logout_uri", `{` + goodConfig + `,"logoutEndpoint":"https://a.example/logout?logout_uri=https://evil.example/"}`, "logoutEndpoint"},
		{"end session post_logout_redirect_uri", `{` + goodConfig + `,"endSessionEndpoint":"https://a.example/end?post_logout_redirect_uri=https://evil.example/"}`, "endSessionEndpoint"},
		{"revocation token_type_hint", `{` + goodConfig + `,"revocationEndpoint":"https://a.example/revoke?token_type_hint=access_token"}`, "revocationEndpoint"},
		{"extra param Scope", `{` + goodConfig + `,"extraParams":{"Scope":"admin"}}`, "extraParams.Scope"},
		{"extra param with spaces", `{` + goodConfig + `,"extraParams":{" redirect_uri ":"https://evil.example/"}}`, "extraParams. redirect_uri "},
		{"extra param upper case", `{` + goodConfig + `,"extraParams":{"CODE_CHALLENGE_METHOD":"plain"}}`, "extraParams.CODE_CHALLENGE_METHOD"},
		{"port too large", `{` + goodConfig + `,"tokenEndpoint":"https://a.example:99999/t"}`, "tokenEndpoint"},
		{"port zero", `{` + goodConfig + `,"authorizationEndpoint":"https://a.example:0/x"}`, "authorizationEndpoint"},
		{"idTokenHint without endSessionEndpoint", `{` + goodConfig + `,"idTokenHint":true}`, "idTokenHint"},
		// Options have types.
		{"boolean as string", `{` + goodConfig + `,"issParameterSupported":"false"}`, "issParameterSupported"},
		{"idTokenHint as number", `{` + goodConfig + `,"endSessionEndpoint":"https://a.example/end","idTokenHint":1}`, "idTokenHint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.json))
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidConfig {
				t.Fatalf("err = %v, want invalid_config", err)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("errors.Is(err, ErrInvalidConfig) is false")
			}
			if e.Field != tc.field {
				t.Fatalf("field = %q, want %q (%v)", e.Field, tc.field, err)
			}
			if tc.field != "" && !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("message %q does not name the field", err)
			}
			if !strings.HasPrefix(err.Error(), "gopkce: ") {
				t.Fatalf("message %q lacks the prefix", err)
			}
		})
	}
}

// A secret is refused as a secret, with a message about secrets, never as
// an unknown key.
func TestSecretKeyMessage(t *testing.T) {
	for _, k := range []string{"client_secret", "clientSecret", "Client-Secret", "secret", "CLIENTSECRET", "privateKey", "client_assertion"} {
		_, err := ParseConfig([]byte(`{` + goodConfig + `,"` + k + `":"x"}`))
		var e *Error
		if !errors.As(err, &e) || e.Field != k {
			t.Fatalf("%s: %v", k, err)
		}
		if msg := e.Message(); strings.Contains(msg, "unknown") || !strings.Contains(msg, "secret must never be in a browser") {
			t.Fatalf("%s: message %q is not about secrets", k, msg)
		}
		if strings.Contains(err.Error(), `"x"`) {
			t.Fatalf("%s: the value is echoed", k)
		}
	}
}

// Protocol parameters that merely look alike, and well-known provider
// parameters, are accepted.
func TestConfiguredURLsAccepted(t *testing.T) {
	for _, js := range []string{
		`,"authorizationEndpoint":"https://id.example.com/tenant/B2C_1A/oauth2/v2.0/authorize?p=B2C_1A_SIGNIN"`,
		`,"extraParams":{"prompt":"login","login_hint":"a@b.example","p":"B2C_1A","state_hint":"x"}`,
		`,"endSessionEndpoint":"https://id.example.com/logout?p=B2C_1A","idTokenHint":true`,
		`,"revocationEndpoint":"https://auth.example.com/oauth2/revoke"`,
		`,"tokenEndpoint":"https://auth.example.com:8443/oauth2/token"`,
	} {
		if _, err := ParseConfig([]byte(`{` + goodConfig + js + `}`)); err != nil {
			t.Errorf("%s refused: %v", js, err)
		}
	}
}

func TestParseConfigDefaultsAndPresets(t *testing.T) {
	c, err := ParseConfig([]byte(`{` + goodConfig + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage != StorageSession || c.RefreshMargin != 60*time.Second || c.Timeout != DefaultTimeout ||
		c.DefaultExpiresIn != time.Hour || c.UseIDToken || c.PostLogoutRedirectURI != "https://app.example.com/" {
		t.Fatalf("defaults not applied: %+v", c)
	}
	c, err = ParseConfig([]byte(`{` + goodConfig + `,"storage":"local","refreshMarginSeconds":5,"useToken":"id_token","refreshTokenLifetime":"azure-b2c-spa","scope":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage != StorageLocal || c.RefreshMargin != 5*time.Second || !c.UseIDToken || c.RefreshTokenLifetime != 24*time.Hour {
		t.Fatalf("values not read: %+v", c)
	}
	c, err = ParseConfig([]byte(`{` + goodConfig + `,"refreshTokenLifetime":"cognito"}`))
	if err != nil || c.RefreshTokenLifetime != 30*24*time.Hour {
		t.Fatalf("cognito preset: %v %v", c.RefreshTokenLifetime, err)
	}
	for _, loop := range []string{"http://localhost:8080/cb", "http://127.0.0.1:9/cb", "http://[::1]/cb"} {
		c := Config{AuthorizationEndpoint: loop, TokenEndpoint: loop, ClientID: "c", RedirectURI: loop}
		if err := c.Validate(); err != nil {
			t.Errorf("loopback %s refused: %v", loop, err)
		}
	}
}

// checkURL's refusals name their reason; what weburl.Parse refuses beyond
// net/url (spaces, backslashes, percent-encoded hosts, no authority) is
// refused as not an absolute URL.
func TestCheckURLReasons(t *testing.T) {
	for s, want := range map[string]string{
		"https://u:p@idp.example/x":       "must not carry user credentials",
		"https://@idp.example/x":          "must not carry user credentials",
		"https://idp.example/x#":          "must not have a fragment",
		"https://idp.example:0/x":         "port out of range",
		"https://idp.example:65536/x":     "port out of range",
		"http://idp.example/x":            "must use https",
		"ftp://idp.example/x":             "must use https",
		"https://idp.example\\@evil.io/x": "must be an absolute URL",
		"https://idp.example/a b":         "must be an absolute URL",
		"https://idp.ex%61mple/":          "must be an absolute URL",
		"https:idp.example":               "must be an absolute URL",
		"https:///idp.example":            "must be an absolute URL",
	} {
		err := checkURL(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkURL(%q) = %v, want %q", s, err, want)
		}
	}
	for _, s := range []string{"https://idp.example", "http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]:5173/cb", "https://idp.example:65535/x?p=1"} {
		if err := checkURL(s); err != nil {
			t.Errorf("checkURL(%q) = %v", s, err)
		}
	}
}

// Seconds in the configuration keep their fraction, to the nanosecond.
func TestConfigSecondsFraction(t *testing.T) {
	c, err := ParseConfig([]byte(`{` + goodConfig + `,"clockLeewaySeconds":1.5,"refreshMarginSeconds":2.000000001}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClockLeeway != 1500*time.Millisecond || c.RefreshMargin != 2*time.Second+time.Nanosecond {
		t.Fatalf("clockLeeway %v, refreshMargin %v", c.ClockLeeway, c.RefreshMargin)
	}
}
