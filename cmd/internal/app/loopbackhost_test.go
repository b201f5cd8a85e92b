package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// A site on a loopback address sends a browser that came as localhost to
// that address, path and query kept; other hosts, other methods and
// sites not on a loopback address are served as they are.
func TestCanonicalLoopback(t *testing.T) {
	o := devOptions()
	o.SiteURL = "http://127.0.0.1:8080"
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, host, target string
		status               int
		location             string
	}{
		{"GET", "localhost:8080", "/callback?code=x&state=y", http.StatusTemporaryRedirect, "http://127.0.0.1:8080/callback?code=x&state=y"},
		{"HEAD", "localhost:8080", "/", http.StatusTemporaryRedirect, "http://127.0.0.1:8080/"},
		{"GET", "127.0.0.1:8080", "/", http.StatusOK, ""},
		{"GET", "localhost:9090", "/", http.StatusOK, ""},
		{"POST", "localhost:8080", "/", http.StatusMethodNotAllowed, ""},
	} {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		r.Host = tc.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.status || w.Header().Get("Location") != tc.location {
			t.Errorf("%s http://%s%s: %d %q, want %d %q", tc.method, tc.host, tc.target, w.Code, w.Header().Get("Location"), tc.status, tc.location)
		}
	}
	o.SiteURL = "https://demo.example"
	h, _ = New(o)
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "localhost:8080"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("a site not on loopback redirected localhost: %d", w.Code)
	}
}
