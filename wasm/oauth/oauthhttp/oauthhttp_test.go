package oauthhttp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/oauth"
)

func server(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var followed atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/elsewhere":
			followed.Add(1)
			w.Write([]byte(`{"followed":true}`))
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Method", r.Method)
			w.Header().Set("X-Content-Type", r.Header.Get("Content-Type"))
			w.Write(b)
		case "/hang":
			<-r.Context().Done()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &followed
}

// Redirects are not followed, for every way of making a Transport: the
// zero value, New(nil), and a client whose own policy follows them.
func TestRedirectsAreNotFollowed(t *testing.T) {
	srv, followed := server(t)
	following := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	for name, tr := range map[string]*Transport{
		"zero value":       {},
		"New(nil)":         New(nil),
		"following client": New(following),
		"field set":        {Client: following},
	} {
		resp, err := tr.RoundTrip(context.Background(), &oauth.Request{Method: "POST", URL: srv.URL + "/redirect"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		resp.Body.Close()
		if resp.Status != http.StatusFound || resp.Header("Location") != "/elsewhere" {
			t.Fatalf("%s: status %d", name, resp.Status)
		}
	}
	if n := followed.Load(); n != 0 {
		t.Fatalf("a redirect was followed %d times", n)
	}
	if following.CheckRedirect == nil {
		t.Fatal("the caller's client was changed")
	}
}

// A nil *Transport is usable too, and the request is sent as given.
func TestZeroValueRoundTrip(t *testing.T) {
	srv, _ := server(t)
	var tr *Transport
	resp, err := tr.RoundTrip(context.Background(), &oauth.Request{Method: "POST", URL: srv.URL + "/echo",
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: []byte("a=b")})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "a=b" || resp.Header("X-Method") != "POST" || resp.Header("x-content-type") != "application/x-www-form-urlencoded" {
		t.Fatalf("echo %q %q %q", b, resp.Header("X-Method"), resp.Header("X-Content-Type"))
	}
}

// The context bounds the request.
func TestContextCancels(t *testing.T) {
	srv, _ := server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := (&Transport{}).RoundTrip(ctx, &oauth.Request{Method: "POST", URL: srv.URL + "/hang"}); err == nil {
		t.Fatal("no error from a request past its deadline")
	}
}
