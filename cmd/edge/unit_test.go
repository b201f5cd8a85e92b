package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"
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
