package oauth

import (
	"context"
	"errors"
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
		{"429 Retry-After 10^10 s (no overflow)", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "10000000000"); w.WriteHeader(429) }, []time.Duration{maxRetryAfter, maxRetryAfter}},
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
		t.Fatal("web/doc/tabs-and-lifetimes.md states 3 attempts, 0.5 s then 1 s, Retry-After up to 10 s")
	}
}

// Retry-After as an HTTP-date counts from the injected clock: a date in
// 3 s waits 3 s, a past one is no wait (the backoff stands), a far one
// waits 10 s, and a value that is neither is ignored. The forms a
// recipient must accept are protocol.RetryAfter's and tested there.
func TestRetryAfterDate(t *testing.T) {
	const imf = "Mon, 02 Jan 2006 15:04:05 GMT"
	backoff := []time.Duration{500 * time.Millisecond, time.Second}
	for _, tc := range []struct {
		name  string
		value func(now time.Time) string
		want  []time.Duration
	}{
		{"IMF-fixdate in 3 s", func(now time.Time) string { return now.Add(3 * time.Second).Format(imf) }, []time.Duration{3 * time.Second, 3 * time.Second}},
		{"date an hour ago", func(now time.Time) string { return now.Add(-time.Hour).Format(imf) }, backoff},
		{"date in 2100", func(time.Time) string { return "Fri, 31 Dec 2100 23:59:59 GMT" }, []time.Duration{maxRetryAfter, maxRetryAfter}},
		{"garbage", func(time.Time) string { return "soon" }, backoff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, p, _ := loggedIn(t, false)
			e.clock.Add(2 * time.Hour)
			v := tc.value(e.clock.Now().UTC())
			p.set(func(w http.ResponseWriter, _ url.Values) { w.Header().Set("Retry-After", v); w.WriteHeader(503) })
			if _, err := e.c.Token(context.Background(), TokenOptions{}); code(err) != CodeNetworkError {
				t.Fatalf("err = %v", err)
			}
			if got := e.waits.all(); !slices.Equal(got, tc.want) {
				t.Fatalf("Retry-After %q: waits %v, want %v", v, got, tc.want)
			}
		})
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

func TestRefreshTransientFailuresKeepRefreshToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(w http.ResponseWriter)
	}{
		{"503", func(w http.ResponseWriter) { w.WriteHeader(503) }},
		{"500 HTML", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			w.Write([]byte("<h1>oops</h1>"))
		}},
		{"429", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "2"); w.WriteHeader(429) }},
		{"connection dropped", func(w http.ResponseWriter) {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, p, h := loggedIn(t, true)
			e.clock.Add(2 * time.Hour)
			p.set(func(w http.ResponseWriter, _ url.Values) { tc.fault(w) })
			_, err := e.c.Token(context.Background(), TokenOptions{})
			if !errors.Is(err, ErrNetwork) {
				t.Fatalf("err = %v, want network_error", err)
			}
			if n := p.counts["refresh_token"].Load(); n != refreshAttempts {
				t.Fatalf("%d attempts, want %d", n, refreshAttempts)
			}
			if ts := e.stored(t); ts == nil || ts.RefreshToken != "rt-1" {
				t.Fatalf("refresh token lost: %+v", ts)
			}
			p.set(h.serve(t))
			if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
				t.Fatalf("after recovery: %v", err)
			}
		})
	}
}

func TestRefreshRetriesThenSucceeds(t *testing.T) {
	e, p, h := loggedIn(t, true)
	e.clock.Add(2 * time.Hour)
	failures := 2
	serve := h.serve(t)
	p.set(func(w http.ResponseWriter, f url.Values) {
		if failures > 0 {
			failures--
			w.WriteHeader(503)
			return
		}
		serve(w, f)
	})
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok == "at-1" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	if n := p.counts["refresh_token"].Load(); n != 3 {
		t.Fatalf("%d requests, want 2 failures + 1 success", n)
	}
	if n := e.sleeps.Load(); n != 2 {
		t.Fatalf("%d backoff sleeps, want 2", n)
	}
}

// Within the margin but not expired, a transient failure serves the still
// valid token; a forced refresh reports the failure instead.
func TestTransientFailureWithinMargin(t *testing.T) {
	e, p, _ := loggedIn(t, false)
	e.clock.Add(59*time.Minute + 30*time.Second) // 30 s left, margin 60 s
	p.set(func(w http.ResponseWriter, _ url.Values) { w.WriteHeader(502) })
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok != "at-1" {
		t.Fatalf("Token = %q, %v; want the still-valid at-1", tok, err)
	}
	if _, err := e.c.Token(context.Background(), TokenOptions{ForceRefresh: true}); !errors.Is(err, ErrNetwork) {
		t.Fatalf("forced refresh: %v, want network_error", err)
	}
	if ts := e.stored(t); ts == nil || ts.RefreshToken != "rt-1" {
		t.Fatal("refresh token lost")
	}
}
