package app

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func devOptions() Options {
	return Options{
		SiteURL:              "https://demo.example",
		Assets:               fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>demo</title>")}},
		Provider:             DevProvider("http://127.0.0.1:9999"),
		Storage:              "session",
		RefreshMargin:        60 * time.Second,
		RefreshTokenLifetime: "cognito",
	}
}

func TestPageConfig(t *testing.T) {
	got := devOptions().PageConfig()
	want := map[string]any{
		"clientId":              "gopkce-demo",
		"redirectUri":           "https://demo.example/callback",
		"storage":               "session",
		"refreshMarginSeconds":  60.0,
		"refreshTokenLifetime":  "cognito",
		"issuer":                "http://127.0.0.1:9999",
		"authorizationEndpoint": "http://127.0.0.1:9999/oauth2/authorize",
		"tokenEndpoint":         "http://127.0.0.1:9999/oauth2/token",
		"logoutEndpoint":        "http://127.0.0.1:9999/logout",
		"revocationEndpoint":    "http://127.0.0.1:9999/oauth2/revoke",
		"scope":                 "openid email profile",
		"issParameterSupported": true,
		"apiOrigins":            []string{"http://127.0.0.1:9999"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PageConfig =\n%v\nwant\n%v", got, want)
	}
	o := devOptions()
	o.RefreshTokenLifetime = "86400"
	o.Provider = Provider{ClientID: "c", TokenEndpoint: "https://idp.example/token"}
	got = o.PageConfig()
	if got["refreshTokenLifetime"] != 86400.0 || got["issuer"] != nil || got["issParameterSupported"] != nil || got["logoutEndpoint"] != nil {
		t.Fatalf("PageConfig for a real provider = %v", got)
	}
}

func TestOrigins(t *testing.T) {
	o := devOptions()
	o.Provider = Provider{
		Issuer: "https://idp.example/tenant", TokenEndpoint: "https://idp.example/token",
		AuthorizationEndpoint: "https://login.example/authorize", API: "https://api.example:8443/me",
	}
	if got, want := o.ConnectOrigins(), []string{"https://idp.example", "https://api.example:8443"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ConnectOrigins = %v, want %v", got, want)
	}
	if got, want := o.FormOrigins(), []string{"https://login.example"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("FormOrigins = %v, want %v", got, want)
	}
	c := devOptions()
	// Endpoints given, no openid: no discovery, so not the issuer's origin.
	c.Provider = Provider{
		Issuer: "https://issuer.example", TokenEndpoint: "https://idp.example/token",
		AuthorizationEndpoint: "https://login.example/authorize", Scope: "email",
	}
	if got, want := c.ConnectOrigins(), []string{"https://idp.example"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ConnectOrigins without discovery = %v, want %v", got, want)
	}
	// Cognito: hosted UI on its domain, the key set on cognito-idp.
	c.Provider = Provider{
		Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab", TokenEndpoint: "https://auth.example.com/oauth2/token",
		AuthorizationEndpoint: "https://auth.example.com/oauth2/authorize", Scope: "openid email",
		JWKSURI: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab/.well-known/jwks.json",
	}
	if got, want := c.ConnectOrigins(), []string{"https://auth.example.com", "https://cognito-idp.us-east-1.amazonaws.com"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ConnectOrigins for Cognito = %v, want %v", got, want)
	}
	// Azure AD B2C: a discovery URL under the policy; issuer adopted.
	c.Provider = Provider{DiscoveryURL: "https://t.b2clogin.com/t.onmicrosoft.com/B2C_1_si/v2.0/.well-known/openid-configuration", Scope: "openid"}
	if got, want := c.ConnectOrigins(), []string{"https://t.b2clogin.com"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ConnectOrigins for B2C = %v, want %v", got, want)
	}
	if got := Origins("", "/relative", "not a url\x00"); got != nil {
		t.Fatalf("Origins of nothing usable = %v", got)
	}
}

// The handler serves the page configuration and the CSP built from the
// provider, on every route.
func TestNew(t *testing.T) {
	o := devOptions()
	o.ConfigHook = func(cfg map[string]any) { cfg["storage"] = "memory" }
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/config.json", nil))
	var cfg struct {
		Gopkce map[string]any `json:"gopkce"`
		API    string         `json:"api"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Gopkce["storage"] != "memory" || cfg.Gopkce["clientId"] != "gopkce-demo" || cfg.API != "http://127.0.0.1:9999/api/me" {
		t.Fatalf("config.json = %s", w.Body.String())
	}
	for _, p := range []string{"/", "/callback", "/missing"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "connect-src 'self' http://127.0.0.1:9999;") || !strings.Contains(csp, "form-action 'self' http://127.0.0.1:9999;") {
			t.Fatalf("%s: CSP %q", p, csp)
		}
	}
	if _, err := New(Options{SiteURL: "https://demo.example"}); err == nil {
		t.Fatal("New without assets accepted")
	}
}

func TestRefreshTokenDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"cognito": 30 * 24 * time.Hour, "azure-b2c-spa": 24 * time.Hour, "3600": time.Hour, "": 0, "-5": 0, "soon": 0,
	} {
		if got := RefreshTokenDuration(in); got != want {
			t.Errorf("RefreshTokenDuration(%q) = %v, want %v", in, got, want)
		}
	}
}
