package bff

import (
	"bytes"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// Cognito-sized tokens take more than one cookie; the chunks open only
// together, in order, all of them, sealed for this client.
func TestChunkedCookiesRefusals(t *testing.T) {
	f := newFixture(t, nil)
	f.p.pad = 1500 // access ~1.5 kB, ID token ~2.3 kB, refresh ~1.5 kB
	f.login()
	names := make([]string, 0, len(f.jar))
	for k := range f.jar {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) < 2 {
		t.Fatalf("want several chunks, got %v", names)
	}
	for _, n := range names {
		if len(n)+len(f.jar[n]) > MaxChunkBytes {
			t.Fatalf("chunk %s is %d bytes", n, len(n)+len(f.jar[n]))
		}
	}
	good := map[string]string{}
	for k, v := range f.jar {
		good[k] = v
	}
	// Sealed like this one but for another client.
	cfg := f.cfg
	cfg.ClientID = "other"
	other, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	if err := other.jar.write(rec, &http.Request{Header: http.Header{}}, &session{V: 1, AccessToken: "AT-x", Handle: "h", AccessExpires: f.clock().Unix() + 300, Expires: f.clock().Unix() + 3600}, f.clock()); err != nil {
		t.Fatal(err)
	}
	foreign := map[string]string{}
	for _, c := range rec.cookies() {
		foreign[c.Name] = c.Value
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for _, tc := range []struct {
		name string
		jar  func() map[string]string
	}{
		{"tampered first", func() map[string]string {
			j := clone(good)
			j[names[0]] = flip(j[names[0]], 30)
			return j
		}},
		{"tampered last", func() map[string]string {
			j := clone(good)
			last := names[len(names)-1]
			j[last] = flip(j[last], len(j[last])-1)
			return j
		}},
		{"reordered", func() map[string]string {
			j := clone(good)
			j[names[0]], j[names[1]] = j[names[1]], j[names[0]]
			return j
		}},
		{"truncated: last chunk dropped", func() map[string]string {
			j := clone(good)
			delete(j, names[len(names)-1])
			return j
		}},
		{"truncated: a chunk cut", func() map[string]string {
			j := clone(good)
			j[names[0]] = j[names[0]][:len(j[names[0]])-8]
			return j
		}},
		{"first chunk missing", func() map[string]string {
			j := clone(good)
			delete(j, names[0])
			return j
		}},
		{"another client's", func() map[string]string { return clone(foreign) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.jar = tc.jar()
			before := len(f.api.requests())
			r := f.do("GET", "/api/x", "", nil)
			if r.status != 401 || r.code() != "login_required" {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if len(f.api.requests()) != before {
				t.Fatal("the API was called")
			}
			f.jar = tc.jar()
			s := f.do("POST", "/bff/session", "", nil)
			if !strings.Contains(s.body, `"loggedIn":false`) {
				t.Fatalf("session: %s", s.body)
			}
		})
	}
	f.jar = clone(good)
	if r := f.do("GET", "/api/x", "", nil); r.status != 200 {
		t.Fatalf("the genuine chunks: %d %s", r.status, r.body)
	}
	// A key rotation keeps the session: the old key as previous opens it.
	cfg = f.cfg
	cfg.CookieKey, cfg.PreviousCookieKeys = bytes.Repeat([]byte{9}, 32), [][]byte{testKey}
	rotated, _ := New(cfg)
	req := &http.Request{Header: http.Header{}}
	for k, v := range good {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if _, err := rotated.jar.read(req, f.clock()); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	cfg.PreviousCookieKeys = nil
	dropped, _ := New(cfg)
	if _, err := dropped.jar.read(req, f.clock()); err == nil {
		t.Fatal("opened without the old key")
	}
}

// A token set beyond the cap is refused, and the previous session stays.
func TestCookieCap(t *testing.T) {
	f := newFixture(t, nil)
	f.login()
	good := clone(f.jar)
	f.p.pad = MaxCookieChunks * MaxChunkBytes / 2
	r := f.do("POST", "/bff/token", "grant_type=refresh_token", nil)
	if r.status != 500 || r.code() != "server_error" || len(r.cookies) != 0 {
		t.Fatalf("%d %s %v", r.status, r.body, r.cookies)
	}
	if len(f.jar) != len(good) {
		t.Fatal("the previous session was touched")
	}
	// Shrinking back clears the chunks no longer needed.
	f.p.pad = 1500
	f.do("POST", "/bff/token", "grant_type=refresh_token", nil)
	n := len(f.jar)
	f.p.pad = 0
	f.do("POST", "/bff/token", "grant_type=refresh_token", nil)
	if len(f.jar) >= n {
		t.Fatalf("stale chunks kept: %d then %d", n, len(f.jar))
	}
	if r := f.do("GET", "/api/x", "", nil); r.status != 200 {
		t.Fatalf("after shrinking: %d %s", r.status, r.body)
	}
}

// Body caps both ways, and the proxy's timeout.
func TestBodyCapsAndTimeout(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBodyBytes = 1000; c.ProxyTimeout = 200 * time.Millisecond })
	f.login()
	h := pageHeaders("POST")
	h.Set("Content-Type", "application/octet-stream")
	if r := f.do("POST", "/api/up", strings.Repeat("a", 1001), h); r.status != 413 || r.code() != "body_too_large" {
		t.Fatalf("request body: %d %s", r.status, r.body)
	}
	if len(f.api.requests()) != 0 {
		t.Fatal("an oversized body was sent")
	}
	if r := f.do("POST", "/api/up", strings.Repeat("a", 1000), h); r.status != 200 {
		t.Fatalf("a body at the cap: %d %s", r.status, r.body)
	}
	f.api.handle = func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 1001)) }
	if r := f.do("GET", "/api/big", "", nil); r.status != 502 || r.code() != "body_too_large" {
		t.Fatalf("response with length: %d %s", r.status, r.body[:min(80, len(r.body))])
	}
	f.api.handle = func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 3; i++ {
			w.Write(make([]byte, 500))
			w.(http.Flusher).Flush()
		}
	}
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Fatalf("a streamed oversized answer was not cut: %v", v)
			}
		}()
		f.do("GET", "/api/stream", "", nil)
	}()
	f.api.handle = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}
	start := time.Now()
	if r := f.do("GET", "/api/slow", "", nil); r.status != 504 || r.code() != "temporarily_unavailable" {
		t.Fatalf("slow API: %d %s", r.status, r.body)
	}
	if time.Since(start) > 1500*time.Millisecond {
		t.Fatal("the timeout did not cut the call")
	}
}

func clone(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

type recorder struct{ h http.Header }

func newRecorder() *recorder                    { return &recorder{h: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(int)             {}
func (r *recorder) cookies() []*http.Cookie     { return (&http.Response{Header: r.h}).Cookies() }

var _ = url.Values{}
