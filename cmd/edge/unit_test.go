package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestOptionsFromBindings(t *testing.T) {
	base := map[string]string{
		"SITE_URL": "https://gopkce.example.workers.dev/", "AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
		"TOKEN_ENDPOINT": "https://idp.example/token", "CLIENT_ID": "spa", "ISS_PARAMETER_SUPPORTED": "true",
		"REFRESH_MARGIN_SECONDS": "30", "REFRESH_TOKEN_LIFETIME": "cognito",
	}
	o, err := options(env(base))
	if err != nil {
		t.Fatal(err)
	}
	if o.SiteURL != "https://gopkce.example.workers.dev" || !o.HTTPS || o.RefreshMargin != 30*time.Second || o.Storage != "session" ||
		!o.Provider.IssParameterSupported || o.Provider.ClientID != "spa" || o.RedirectURI() != "https://gopkce.example.workers.dev/callback" {
		t.Fatalf("options = %+v", o)
	}
	for _, tc := range []struct{ key, value, want string }{
		{"SITE_URL", "", "SITE_URL"},
		{"SITE_URL", "gopkce.example", "SITE_URL"},
		{"SITE_URL", "https://gopkce.example/app", "SITE_URL"},
		{"SITE_URL", "ftp://gopkce.example", "SITE_URL"},
		{"CLIENT_ID", "", "CLIENT_ID"},
		{"TOKEN_ENDPOINT", "", "TOKEN_ENDPOINT"},
		{"ISS_PARAMETER_SUPPORTED", "yes", "ISS_PARAMETER_SUPPORTED"},
		{"REFRESH_MARGIN_SECONDS", "-1", "REFRESH_MARGIN_SECONDS"},
		{"REFRESH_MARGIN_SECONDS", "soon", "REFRESH_MARGIN_SECONDS"},
	} {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[tc.key] = tc.value
		if _, err := options(env(m)); err == nil || !strings.Contains(err.Error(), "binding "+tc.want) {
			t.Errorf("%s=%q: error %v, want one naming %s", tc.key, tc.value, err, tc.want)
		}
	}
	// Every binding read is described once in bindings.
	described := map[string]bool{}
	for _, b := range bindings {
		described[b.name] = true
	}
	options(func(k string) string {
		if !described[k] {
			t.Errorf("binding %s read but not described", k)
		}
		return base[k]
	})
}

// The assets binding behind an fs.FS: files, 404s, redirects and the
// isolate-long cache.
func TestAssetsFS(t *testing.T) {
	files := fstest.MapFS{"app.js": {Data: []byte("console.log(1)")}, "sub/a.txt": {Data: []byte("a")}}
	fetches := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches++
		switch r.URL.Path {
		case "/index.html":
			http.Redirect(w, r, "/", http.StatusTemporaryRedirect)
		default:
			http.FileServerFS(files).ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	a := newAssetsFS(client, srv.URL)
	for range 3 {
		b, err := fs.ReadFile(a, "app.js")
		if err != nil || string(b) != "console.log(1)" {
			t.Fatalf("app.js: %q %v", b, err)
		}
	}
	if fetches != 1 {
		t.Fatalf("%d fetches for one file read three times", fetches)
	}
	st, err := fs.Stat(a, "sub/a.txt")
	if err != nil || st.Size() != 1 || !st.Mode().IsRegular() || st.Name() != "a.txt" {
		t.Fatalf("stat: %v %v", st, err)
	}
	for _, name := range []string{"missing.js", "/app.js", "../x", ".", "index.html"} {
		if _, err := a.Open(name); err == nil {
			t.Errorf("Open(%q) succeeded", name)
		} else if name == "missing.js" && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q): %v, want fs.ErrNotExist", name, err)
		}
	}
}

type blockingTransport struct{ release chan struct{} }

func (b blockingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	<-b.release
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("late"))}, nil
}

// A transport that ignores the context (the Workers fetch) still gives up
// when the client's timeout ends.
func TestContextTransportTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c := &http.Client{Transport: contextTransport{blockingTransport{release}}, Timeout: 50 * time.Millisecond}
	done := make(chan error, 1)
	go func() {
		_, err := c.Get("http://idp.example/token")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "Timeout") {
			t.Fatalf("error %v, want a timeout", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request outlived its timeout")
	}
}

// stallBody blocks reads until closed.
type stallBody struct{ closed chan struct{} }

func (s stallBody) Read([]byte) (int, error) { <-s.closed; return 0, errors.New("closed") }
func (s stallBody) Close() error {
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	return nil
}

type stallTransport struct{}

func (stallTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: stallBody{make(chan struct{})}}, nil
}

// A body that stalls is closed when the context ends.
func TestContextTransportBody(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://idp.example/jwks", nil)
	resp, err := contextTransport{stallTransport{}}.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(resp.Body); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a stalled body read completed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading the body outlived the context")
	}
	resp.Body.Close()
}

// The token handler and the M2M route from bindings; their secrets only
// from secrets, with errors that name the binding, never its value.
func TestConfidentialBindings(t *testing.T) {
	key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes
	base := map[string]string{
		"SITE_URL": "https://gopkce.example.workers.dev", "AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
		"TOKEN_ENDPOINT": "https://idp.example/token", "CLIENT_ID": "web", "REFRESH_TOKEN_LIFETIME": "azure-b2c-spa",
		"GOPKCE_CLIENT_SECRET": "s3cret-value", "GOPKCE_COOKIE_KEY": key, "REVOCATION_ENDPOINT": "https://idp.example/revoke",
		"M2M_TOKEN_ENDPOINT": "https://idp.example/token", "M2M_CLIENT_ID": "m2m", "GOPKCE_M2M_CLIENT_SECRET": "m2m-s3cret",
		"M2M_SCOPE": "api/write api/read", "M2M_API": "https://api.example/records",
	}
	o, err := options(env(base))
	if err != nil {
		t.Fatal(err)
	}
	th := o.TokenHandler
	if th == nil || th.ClientSecret != "s3cret-value" || len(th.CookieKey) != 32 || th.AuthStyle != "client_secret_basic" ||
		th.RefreshTokenLifetime != 24*time.Hour || o.Provider.RevocationEndpoint != "https://idp.example/revoke" {
		t.Fatalf("token handler %+v", th)
	}
	if m := o.M2M; m == nil || m.ClientSecret != "m2m-s3cret" || len(m.Scopes) != 2 || m.API != "https://api.example/records" {
		t.Fatalf("m2m %+v", o.M2M)
	}
	if _, ok := o.PageConfig()["tokenHandler"]; !ok {
		t.Fatal("the page is not told to use the token handler")
	}
	for _, tc := range []struct{ key, value, want string }{
		{"GOPKCE_COOKIE_KEY", "", "GOPKCE_COOKIE_KEY"},
		{"GOPKCE_COOKIE_KEY", "c2hvcnQ=", "GOPKCE_COOKIE_KEY"},
		{"GOPKCE_CLIENT_SECRET", "", "GOPKCE_CLIENT_SECRET"},
		{"AUTH_STYLE", "private_key_jwt", "AUTH_STYLE"},
		{"GOPKCE_M2M_CLIENT_SECRET", "", "GOPKCE_M2M_CLIENT_SECRET"},
		{"M2M_API", "", "M2M_API"},
	} {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[tc.key] = tc.value
		_, err := options(env(m))
		if err == nil || !strings.Contains(err.Error(), "binding "+tc.want) {
			t.Errorf("%s=%q: error %v, want one naming %s", tc.key, tc.value, err, tc.want)
			continue
		}
		for _, secret := range []string{"s3cret-value", "m2m-s3cret", key, "c2hvcnQ"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s=%q: the error quotes a secret: %v", tc.key, tc.value, err)
			}
		}
	}
	// Without the secret, a public client.
	delete(base, "GOPKCE_CLIENT_SECRET")
	delete(base, "GOPKCE_COOKIE_KEY")
	if o, err := options(env(base)); err != nil || o.TokenHandler != nil {
		t.Fatalf("public client: %+v %v", o.TokenHandler, err)
	}
}

// wrangler.toml holds public configuration only: a secret in [vars] would
// be deployed in clear with the script.
func TestWranglerTomlHasNoSecrets(t *testing.T) {
	toml, err := os.ReadFile("wrangler.toml")
	if err != nil {
		t.Fatal(err)
	}
	// Comments may name a secret (where to put it); settings may not.
	var settings strings.Builder
	for _, line := range strings.Split(string(toml), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			settings.WriteString(line + "\n")
		}
	}
	described := map[string]bool{}
	for _, b := range bindings {
		described[b.name] = true
		if b.secret && strings.Contains(settings.String(), b.name) {
			t.Errorf("wrangler.toml sets the secret %s", b.name)
		}
	}
	inVars := false
	for _, line := range strings.Split(string(toml), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			inVars = line == "[vars]" || strings.HasPrefix(line, "[env.") && strings.HasSuffix(line, ".vars]")
			continue
		}
		if name, _, ok := strings.Cut(line, "="); inVars && ok && !strings.HasPrefix(line, "#") {
			if name = strings.TrimSpace(name); !described[name] {
				t.Errorf("wrangler.toml sets %s, which the worker does not read", name)
			}
		}
	}
}

// The edge page's table of bindings (web/doc/edge.md) is this package's description of them.
func TestREADMEListsBindings(t *testing.T) {
	readme, err := os.ReadFile("../../web/doc/edge.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bindings {
		kind := "var"
		if b.secret {
			kind = "**secret**"
		}
		row := fmt.Sprintf("| `%s` | %s | %s |\n", b.name, kind, b.help)
		if !strings.Contains(string(readme), row) {
			t.Errorf("web/doc/edge.md lacks the row\n%s", row)
		}
	}
}

// The committed local configuration (wrangler dev --env local-confidential
// --env-file local-confidential.env) names serve's development provider
// at its default address and the development credentials it registers,
// and the worker accepts it with the token handler and /api/m2m on.
func TestLocalConfidentialConfig(t *testing.T) {
	toml, err := os.ReadFile("wrangler.toml")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	in := false
	for _, line := range strings.Split(string(toml), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			in = line == "[env.local-confidential.vars]"
			continue
		}
		if name, value, ok := strings.Cut(line, "="); in && ok && !strings.HasPrefix(line, "#") {
			vars[strings.TrimSpace(name)] = strings.Trim(strings.TrimSpace(value), `"`)
		}
	}
	env, err := os.ReadFile("local-confidential.env")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(env), "\n") {
		if name, value, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			vars[name] = value
		}
	}
	p := app.DevProvider("http://127.0.0.1:8081") // serve's default -idp-addr
	for name, want := range map[string]string{
		"ISSUER": p.Issuer, "AUTHORIZATION_ENDPOINT": p.AuthorizationEndpoint, "TOKEN_ENDPOINT": p.TokenEndpoint,
		"LOGOUT_ENDPOINT": p.LogoutEndpoint, "REVOCATION_ENDPOINT": p.RevocationEndpoint, "API": p.API,
		"CLIENT_ID": devidp.DevConfidentialClientID, "GOPKCE_CLIENT_SECRET": devidp.DevConfidentialSecret,
		"M2M_TOKEN_ENDPOINT": p.TokenEndpoint, "M2M_CLIENT_ID": devidp.DevM2MClientID, "GOPKCE_M2M_CLIENT_SECRET": devidp.DevM2MSecret,
		"M2M_API": p.Issuer + "/api/records",
	} {
		if vars[name] != want {
			t.Errorf("%s = %q, want %q", name, vars[name], want)
		}
	}
	o, err := options(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if o.TokenHandler == nil || o.M2M == nil {
		t.Fatalf("token handler %v, m2m %v: both must be on", o.TokenHandler != nil, o.M2M != nil)
	}
}

// BFF=true turns the token handler's secret and key into the backend for
// frontend's, which also needs the provider's key set.
func TestBFFBindings(t *testing.T) {
	base := map[string]string{
		"SITE_URL": "https://gopkce.example.workers.dev", "AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
		"TOKEN_ENDPOINT": "https://idp.example/token", "CLIENT_ID": "web", "ISSUER": "https://idp.example",
		"GOPKCE_CLIENT_SECRET": "s3cret-value", "GOPKCE_COOKIE_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"AUTH_STYLE": "client_secret_post", "BFF": "true", "JWKS_URI": "https://idp.example/jwks", "API": "https://api.example/v1/me",
	}
	o, err := options(env(base))
	if err != nil {
		t.Fatal(err)
	}
	if b := o.BFF; b == nil || o.TokenHandler != nil || b.ClientSecret != "s3cret-value" || len(b.CookieKey) != 32 ||
		b.AuthStyle != "client_secret_post" || b.JWKSURI != "https://idp.example/jwks" {
		t.Fatalf("backend for frontend %+v, token handler %+v", o.BFF, o.TokenHandler)
	}
	if cfg := o.PageConfig(); cfg["bff"] != "/bff" || cfg["tokenEndpoint"] != nil || cfg["tokenHandler"] != nil {
		t.Fatalf("page configuration %v", cfg)
	}
	for _, tc := range []struct{ key, value, want string }{
		{"JWKS_URI", "", "JWKS_URI"},
		{"BFF", "yes", "BFF"},
		{"GOPKCE_CLIENT_SECRET", "", "GOPKCE_CLIENT_SECRET"},
	} {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[tc.key] = tc.value
		if tc.key == "GOPKCE_CLIENT_SECRET" {
			delete(m, "GOPKCE_COOKIE_KEY")
		}
		if _, err := options(env(m)); err == nil || !strings.Contains(err.Error(), "binding "+tc.want) {
			t.Errorf("%s=%q: error %v, want one naming %s", tc.key, tc.value, err, tc.want)
		}
	}
}

// bodyTransport records whether a request reached it with a body.
type bodyTransport struct{ hadBody *bool }

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	*b.hadBody = r.Body != nil
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(""))}, nil
}

// A GET with an empty body reader goes without a body: the Workers fetch
// panics on a GET with one. A POST keeps its body.
func TestContextTransportGETWithoutBody(t *testing.T) {
	for _, tc := range []struct {
		method string
		want   bool
	}{{"GET", false}, {"HEAD", false}, {"POST", true}} {
		var had bool
		req, _ := http.NewRequest(tc.method, "http://idp.example/jwks", strings.NewReader(""))
		if _, err := (contextTransport{bodyTransport{&had}}).RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if had != tc.want {
			t.Errorf("%s: body %v, want %v", tc.method, had, tc.want)
		}
	}
}
