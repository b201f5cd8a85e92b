package bff

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// BenchmarkProxyAddedLatency measures, on loopback, 1,000 GETs straight to
// an API and 1,000 through the proxy (same client, same API, sequential,
// keep-alive), and reports the medians, the p99s and the difference:
// what the proxy adds (the goal: under 1 ms at the median).
func BenchmarkProxyAddedLatency(b *testing.B) {
	f := newFixture(b, func(c *Config) { c.Logger = slog.New(slog.DiscardHandler); c.Now = time.Now })
	f.api.handle = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"hello"}`)
	}
	f.now = time.Now()
	f.login()
	site := httptest.NewServer(f.h)
	defer site.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func(url string, proxied bool) time.Duration {
		req, _ := http.NewRequest("GET", url, nil)
		if proxied {
			req.Header = pageHeaders("GET")
			for k, v := range f.jar {
				req.AddCookie(&http.Cookie{Name: k, Value: v})
			}
		} else {
			req.Header.Set("Authorization", "Bearer AT-1")
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	const n = 1000
	for b.Loop() {
		direct, proxied := make([]time.Duration, n), make([]time.Duration, n)
		for i := range n { // interleaved, so that drift affects both alike
			direct[i] = get(f.api.srv.URL+"/v1/me", false)
			proxied[i] = get(site.URL+"/api/me", true)
		}
		slices.Sort(direct)
		slices.Sort(proxied)
		med, p99 := func(d []time.Duration) float64 { return float64(d[n/2].Microseconds()) }, func(d []time.Duration) float64 { return float64(d[n*99/100].Microseconds()) }
		b.ReportMetric(med(direct), "direct-median-µs")
		b.ReportMetric(p99(direct), "direct-p99-µs")
		b.ReportMetric(med(proxied), "proxied-median-µs")
		b.ReportMetric(p99(proxied), "proxied-p99-µs")
		b.ReportMetric(med(proxied)-med(direct), "added-median-µs")
		b.ReportMetric(p99(proxied)-p99(direct), "added-p99-µs")
	}
}
