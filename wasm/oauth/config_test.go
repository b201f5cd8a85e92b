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
		{"bad lifetime preset", `{` + goodConfig + `,"refreshTokenLifetime":"forever"}`, "refreshTokenLifetime"},
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
