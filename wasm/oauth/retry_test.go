package oauth

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// The waits between attempts are the backoff, or the server's Retry-After
// capped at 10 s, recorded by the injected sleep.
func TestRetryWaitsAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(w http.ResponseWriter)
		want  []time.Duration
	}{
		{"503: backoff", func(w http.ResponseWriter) { w.WriteHeader(503) }, []time.Duration{500 * time.Millisecond, time.Second}},
		{"429 Retry-After 2", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "2"); w.WriteHeader(429) }, []time.Duration{2 * time.Second, 2 * time.Second}},
		{"429 Retry-After 100 hours", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "360000"); w.WriteHeader(429) }, []time.Duration{maxRetryAfter, maxRetryAfter}},
		{"503 Retry-After shorter than backoff", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "0"); w.WriteHeader(503) }, []time.Duration{500 * time.Millisecond, time.Second}},
		{"503 Retry-After as a date", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "Fri, 31 Dec 2100 23:59:59 GMT")
			w.WriteHeader(503)
		}, []time.Duration{500 * time.Millisecond, time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, p, _ := loggedIn(t, false)
			e.clock.Add(2 * time.Hour)
			p.set(func(w http.ResponseWriter, _ url.Values) { tc.fault(w) })
			if _, err := e.c.Token(context.Background(), TokenOptions{}); code(err) != CodeNetworkError {
				t.Fatalf("err = %v", err)
			}
			if got := e.waits.all(); !slices.Equal(got, tc.want) {
				t.Fatalf("waits %v, want %v", got, tc.want)
			}
			for _, d := range e.waits.all() {
				if d > maxRetryAfter {
					t.Fatalf("waited %v, more than %v", d, maxRetryAfter)
				}
			}
		})
	}
	if maxRetryAfter != 10*time.Second || retryBase != 500*time.Millisecond || refreshAttempts != 3 {
		t.Fatal("the README states 3 attempts, 0.5 s then 1 s, Retry-After up to 10 s")
	}
}

// The real sleep returns early when the context ends.
func TestSleepCtxStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := sleepCtx(ctx, time.Hour); err == nil {
		t.Fatal("no error from a cancelled sleep")
	}
	if time.Since(start) > time.Second {
		t.Fatal("a cancelled sleep waited")
	}
}
