package main

import (
	"encoding/base64"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopkce/gopkce/cmd/internal/build"
)

// With a real provider, -token-handler takes the secret from the
// environment only, and the page never sees it.
func TestTokenHandlerRealProviderSecretFromEnvironment(t *testing.T) {
	args := []string{"-addr", "127.0.0.1:0", "-token-handler", "-client-id", "conf", "-issuer", "https://idp.example",
		"-authorization-endpoint", "https://idp.example/oauth2/authorize", "-token-endpoint", "https://idp.example/oauth2/token",
		"-revocation-endpoint", "https://idp.example/oauth2/revoke", "-auth-style", "client_secret_post"}
	o, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	root, err := build.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	o.web = filepath.Join(root, "web")
	t.Setenv(envClientSecret, "")
	t.Setenv(envClientSecret+"_FILE", "")
	if _, err := start(o, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), envClientSecret) {
		t.Fatalf("no secret in the environment: %v", err)
	}
	if _, err := parseFlags(append(args, "-client-secret", "x"), io.Discard); err == nil {
		t.Fatal("a -client-secret flag exists")
	}
	t.Setenv(envClientSecret, "the-real-secret")
	t.Setenv(envCookieKey, base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))))
	st, err := start(o, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer st.shutdown(t.Context())
	resp, err := http.Get(st.siteURL + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "the-real-secret") || !strings.Contains(string(body), `"tokenHandler":"/oauth"`) || strings.Contains(string(body), "tokenEndpoint") {
		t.Fatalf("config.json %s", body)
	}
	t.Setenv(envCookieKey, "too short")
	if _, err := start(o, io.Discard, io.Discard); err == nil {
		t.Fatal("a bad cookie key accepted")
	}
}
