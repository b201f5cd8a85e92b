package main

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/devidp"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// The page's configuration that serve builds by hand is held to the core's
// description of the keys: oauth.ParseConfig accepts it (so every key is
// known and of the right JSON type) and every flag reaches its key.
func TestPageConfigMatchesConfigKeys(t *testing.T) {
	web, _ := filepath.Abs("../../web")
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, c oauth.Config)
	}{
		{"development provider", []string{"-refresh-margin", "30s", "-storage", "local"}, func(t *testing.T, c oauth.Config) {
			if c.ClientID != "gopkce-demo" || c.LogoutEndpoint == "" || !c.IssParameterSupported || c.Storage != oauth.StorageLocal ||
				c.RefreshMargin != 30*time.Second || c.RefreshTokenLifetime != oauth.LifetimeCognito {
				t.Fatalf("config %+v", c)
			}
		}},
		{"real provider", []string{
			"-client-id", "spa", "-issuer", "https://idp.example.com", "-authorization-endpoint", "https://idp.example.com/authorize",
			"-token-endpoint", "https://idp.example.com/token", "-end-session-endpoint", "https://idp.example.com/logout",
			"-scope", "openid email", "-refresh-token-lifetime", "86400",
		}, func(t *testing.T, c oauth.Config) {
			if c.ClientID != "spa" || c.Issuer != "https://idp.example.com" || c.AuthorizationEndpoint != "https://idp.example.com/authorize" ||
				c.TokenEndpoint != "https://idp.example.com/token" || c.EndSessionEndpoint != "https://idp.example.com/logout" ||
				c.Scope != "openid email" || c.RefreshTokenLifetime != 24*time.Hour {
				t.Fatalf("config %+v", c)
			}
		}},
		{"backend for frontend", []string{"-bff"}, func(t *testing.T, c oauth.Config) {
			if c.BFF != "/bff" || c.TokenEndpoint != "" || c.RevocationEndpoint != "" || c.Storage != oauth.StorageLocal ||
				c.ClientID != devidp.DevConfidentialClientID || len(c.APIOrigins) != 1 {
				t.Fatalf("config %+v", c)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseFlags(append([]string{"-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0", "-quiet", "-web", web}, tc.args...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var page map[string]any
			o.configHook = func(cfg map[string]any) { page = cfg }
			st, err := start(o, io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			defer st.shutdown(context.Background())
			data, _ := json.Marshal(page)
			c, err := oauth.ParseConfig(data)
			if err != nil {
				t.Fatalf("the page's configuration %s is refused: %v", data, err)
			}
			tc.check(t, c)
		})
	}
}
