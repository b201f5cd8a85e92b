package main

import (
	"encoding/json"
	"testing"
)

// gopkce.fetch: a 401 invalid_token makes exactly one refresh and one
// retry; a second 401 stands.
func testFetchRetry(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	e.Expect("status of 401")
	ctx := e.browser
	e.login(ctx, "/", "fetcher")
	api := e.idp.Issuer() + "/api/me"
	status := func() int {
		t.Helper()
		r := e.call(ctx, `gopkce.fetch(`+jsString(api)+`).then(r => r.status)`)
		if r.Code != "" {
			t.Fatalf("gopkce.fetch: %s %s", r.Code, r.Message)
		}
		var n int
		if err := json.Unmarshal(r.OK, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if s := status(); s != 200 {
		t.Fatalf("first call: %d", s)
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 0 {
		t.Fatalf("%d refreshes for a fresh token", n)
	}
	base := e.idp.APIRequests()
	e.idp.RejectAPICalls(1)
	if s := status(); s != 200 {
		t.Fatalf("after one invalid_token: %d, want 200 from the retry", s)
	}
	if n, r := e.idp.APIRequests()-base, e.idp.TokenRequests("refresh_token"); n != 2 || r != 1 {
		t.Fatalf("one invalid_token: %d API requests and %d refreshes, want 2 and 1", n, r)
	}
	e.idp.RejectAPICalls(2)
	if s := status(); s != 401 {
		t.Fatalf("two invalid_token answers: %d, want the second 401", s)
	}
	if n, r := e.idp.APIRequests()-base, e.idp.TokenRequests("refresh_token"); n != 4 || r != 2 {
		t.Fatalf("after a second 401: %d API requests and %d refreshes, want 4 and 2 (one retry, one refresh)", n, r)
	}
	// A 401 that is not invalid_token (no token) is returned as is.
	if r := e.call(ctx, `fetch(`+jsString(api)+`).then(r => r.status)`); string(r.OK) != "401" {
		t.Fatalf("plain fetch: %s", r.OK)
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 2 {
		t.Fatalf("%d refreshes", n)
	}
}

// gopkce.fetch refuses a URL outside apiOrigins before sending anything,
// even to an origin the page may reach (CSP and CORS allow the provider).
func testFetchUnlistedOrigin(t *testing.T) {
	e := newE2E(t, e2eOptions{configHook: func(c map[string]any) { c["apiOrigins"] = []string{"https://api.example.com"} }})
	ctx := e.browser
	e.login(ctx, "/", "careful")
	api := e.idp.Issuer() + "/api/me"
	r := e.call(ctx, `gopkce.fetch(`+jsString(api)+`)`)
	if r.Code != "origin_not_allowed" {
		t.Fatalf("unlisted origin: %+v, want origin_not_allowed", r)
	}
	if n := e.idp.APIRequests(); n != 0 {
		t.Fatalf("%d requests reached the unlisted origin", n)
	}
	// A relative URL is the page's origin, not listed either.
	if r := e.call(ctx, `gopkce.fetch("/api/me")`); r.Code != "origin_not_allowed" {
		t.Fatalf("relative URL: %+v", r)
	}
}
