package bff

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The flow: login, session, proxy; nothing the page receives holds a
// token; the API receives the bearer token and nothing of the page's.
func TestLoginSessionProxy(t *testing.T) {
	f := newFixture(t, nil)
	r := f.login()
	noToken(t, f, "the exchange's answer", r.body)
	var tr map[string]any
	json.Unmarshal([]byte(r.body), &tr)
	if tr["session_handle"] == "" || tr["refresh_token_held"] != true || tr["expires_in"] != float64(300) {
		t.Fatalf("exchange answer: %s", r.body)
	}
	if got := f.p.requests()[0]; got.Get("nonce") != "" || got.Get("code_verifier") != verifierV {
		t.Fatalf("the provider got %v", got)
	}
	for _, c := range r.cookies {
		if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || !strings.HasPrefix(c.Name, "__Host-") {
			t.Fatalf("cookie %s: %+v", c.Name, c)
		}
	}
	s := f.do("POST", "/bff/session", "", nil)
	noToken(t, f, "the session", s.body)
	var sess struct {
		LoggedIn bool
		Claims   map[string]any
		Routes   []map[string]string
	}
	json.Unmarshal([]byte(s.body), &sess)
	if !sess.LoggedIn || sess.Claims["email"] != "a@example.com" || len(sess.Routes) != 2 {
		t.Fatalf("session: %s", s.body)
	}

	h := pageHeaders("GET")
	h.Set("Authorization", "Bearer from-the-page")
	h.Set("Accept", "application/json")
	h.Set("Referer", appOrigin+"/secret-page")
	p := f.do("GET", "/api/items/1?x=%20y", "", h)
	if p.status != 200 || p.header.Get("Set-Cookie") != "" {
		t.Fatalf("proxy: %d %v %s", p.status, p.header, p.body)
	}
	for _, c := range p.cookies {
		t.Fatalf("an upstream Set-Cookie reached the page: %v", c)
	}
	noToken(t, f, "a proxied answer", p.body)
	got := f.api.requests()[0]
	if got.URL.Path != "/v1/items/1" || got.URL.RawQuery != "x=%20y" || got.Header.Get("Authorization") != "Bearer AT-1" {
		t.Fatalf("upstream got %s %q %q", got.URL.Path, got.URL.RawQuery, got.Header.Get("Authorization"))
	}
	for _, k := range []string{"Cookie", RequestHeader, "Origin", "Referer", "Sec-Fetch-Site"} {
		if got.Header.Get(k) != "" {
			t.Fatalf("%s was forwarded upstream: %q", k, got.Header.Get(k))
		}
	}
	if got.Header.Get("Accept") != "application/json" {
		t.Fatal("Accept was not forwarded")
	}
	// The ID-token route sends the ID token.
	f.do("GET", "/legacy/x", "", nil)
	if a := f.api.requests()[1].Header.Get("Authorization"); !strings.HasPrefix(a, "Bearer eyJ") {
		t.Fatalf("the id_token route sent %q", a)
	}
	// A POST body streams through.
	ph := pageHeaders("POST")
	ph.Set("Content-Type", "application/json")
	if p := f.do("POST", "/api/items", `{"a":1}`, ph); p.status != 200 || string(f.api.bodies[2]) != `{"a":1}` {
		t.Fatalf("POST: %d %q", p.status, f.api.bodies[2])
	}
}

// The upstream status, body and WWW-Authenticate come back as they are.
func TestUpstreamAnswerPassedThrough(t *testing.T) {
	f := newFixture(t, nil)
	f.login()
	f.api.handle = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="admin"`)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(403)
		w.Write([]byte(`{"title":"no"}`))
	}
	r := f.do("GET", "/api/x", "", nil)
	if r.status != 403 || r.body != `{"title":"no"}` || r.header.Get("WWW-Authenticate") != `Bearer error="insufficient_scope", scope="admin"` || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %v %s", r.status, r.header, r.body)
	}
}

// Cross-site and same-site-but-other-origin requests are refused on every
// endpoint, and nothing reaches the provider or the API.
func TestSameOriginChecks(t *testing.T) {
	f := newFixture(t, nil)
	f.login()
	before := len(f.p.requests())
	type variant struct {
		name string
		edit func(h http.Header, method string)
	}
	variants := []variant{
		{"no request header", func(h http.Header, _ string) { h.Del(RequestHeader) }},
		{"request header 0", func(h http.Header, _ string) { h.Set(RequestHeader, "0") }},
		{"cross-site", func(h http.Header, _ string) {
			h.Set("Origin", "https://evil.example")
			h.Set("Sec-Fetch-Site", "cross-site")
		}},
		{"same-site other origin", func(h http.Header, _ string) {
			h.Set("Origin", "https://other.example.com")
			h.Set("Sec-Fetch-Site", "same-site")
		}},
		{"same-site, origin forged", func(h http.Header, _ string) { h.Set("Origin", appOrigin); h.Set("Sec-Fetch-Site", "same-site") }},
		{"other origin, no fetch metadata", func(h http.Header, _ string) { h.Set("Origin", "https://other.example.com"); h.Del("Sec-Fetch-Site") }},
		{"other scheme", func(h http.Header, _ string) { h.Set("Origin", "http://app.example.com") }},
		{"Origin null", func(h http.Header, _ string) { h.Set("Origin", "null") }},
		{"no Origin, no fetch metadata", func(h http.Header, _ string) { h.Del("Origin"); h.Del("Sec-Fetch-Site") }},
		{"two Origins", func(h http.Header, _ string) { h.Set("Origin", appOrigin); h.Add("Origin", appOrigin) }},
	}
	for _, ep := range []struct{ method, path, body string }{
		{"POST", "/bff/token", exchangeForm()}, {"POST", "/bff/token", "grant_type=refresh_token"},
		{"POST", "/bff/session", ""}, {"POST", "/bff/logout", ""},
		{"GET", "/api/x", ""}, {"POST", "/api/x", "{}"}, {"DELETE", "/legacy/x", ""},
	} {
		for _, v := range variants {
			t.Run(ep.method+ep.path+"/"+v.name, func(t *testing.T) {
				h := pageHeaders(ep.method)
				v.edit(h, ep.method)
				jar := map[string]string{}
				for k, c := range f.jar {
					jar[k] = c
				}
				r := f.do(ep.method, ep.path, ep.body, h)
				f.jar = jar
				if r.status != 403 || r.code() != "forbidden" || r.header.Get("Location") != "" {
					t.Fatalf("%d %s", r.status, r.body)
				}
				if len(r.cookies) != 0 {
					t.Fatal("a refused request changed the cookies")
				}
			})
		}
	}
	if len(f.p.requests()) != before || len(f.api.requests()) != 0 {
		t.Fatalf("a refused request reached the provider (%d) or the API (%d)", len(f.p.requests())-before, len(f.api.requests()))
	}
	// What the page sends passes: a POST with Origin, a GET with
	// Sec-Fetch-Site alone.
	if r := f.do("GET", "/api/x", "", nil); r.status != 200 {
		t.Fatalf("the page's GET: %d %s", r.status, r.body)
	}
}

// A path outside the allow-list, or one that could leave the route's
// upstream prefix, is refused before anything is sent.
func TestRoutesAndPathTricks(t *testing.T) {
	f := newFixture(t, nil)
	f.login()
	for _, tc := range []struct{ path, code string }{
		{"/other/x", "not_found"},
		{"/ap/x", "not_found"},
		{"/bff/unknown", "not_found"},
		{"/api/../bff/logout", "route_not_allowed"},
		{"/api/a/../../secret", "route_not_allowed"},
		{"/api/%2e%2e/secret", "route_not_allowed"},
		{"/api/%2E%2e/secret", "route_not_allowed"},
		{"/api/.%2e/secret", "route_not_allowed"},
		{"/api/a%2f..%2f..%2fsecret", "route_not_allowed"},
		{"/api/a%5c..%5csecret", "route_not_allowed"},
		{"/api//evil.example/x", "route_not_allowed"},
		{"/api/./x", "route_not_allowed"},
		{"/api/x%00", "route_not_allowed"},
		{"/api/a%2Ejson", "route_not_allowed"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL = &url.URL{Path: mustUnescape(tc.path), RawPath: tc.path}
			req.RequestURI = tc.path
			req.Header = pageHeaders("GET")
			for k, v := range f.jar {
				req.AddCookie(&http.Cookie{Name: k, Value: v})
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			var body struct{ Error string }
			json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code < 400 || body.Error != tc.code {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	// A backslash cannot be put in a parsed URL's path by a client; the
	// raw form is checked the same way.
	if !badPath(`/api/a\..\x`) {
		t.Fatal("a backslash passes")
	}
	if n := len(f.api.requests()); n != 0 {
		t.Fatalf("%d requests reached the API", n)
	}
}

func mustUnescape(p string) string {
	s, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return s
}

// An upstream redirect is not followed: the token is not sent to its
// target, and the page gets JSON, not a redirect.
func TestUpstreamRedirectNotFollowed(t *testing.T) {
	f := newFixture(t, nil)
	f.login()
	other := newAPI(t)
	f.api.handle = func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.srv.URL+"/steal", http.StatusTemporaryRedirect)
	}
	r := f.do("GET", "/api/x", "", nil)
	if r.status != 502 || r.code() != "upstream_redirect" || r.header.Get("Location") != "" {
		t.Fatalf("%d %v %s", r.status, r.header, r.body)
	}
	if len(other.requests()) != 0 {
		t.Fatal("the redirect was followed")
	}
}

// The proxy never refreshes: an expired access token is a JSON 401 with
// token_expired; a refresh through the token endpoint gives a new handle,
// and the proxy works again.
func TestTokenExpiredThenRefresh(t *testing.T) {
	f := newFixture(t, nil)
	first := f.login()
	f.advance(301 * time.Second)
	before := len(f.p.requests())
	r := f.do("GET", "/api/x", "", nil)
	if r.status != 401 || r.code() != "token_expired" || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if len(f.p.requests()) != before || len(f.api.requests()) != 0 {
		t.Fatal("the proxy refreshed or called the API with an expired token")
	}
	rr := f.do("POST", "/bff/token", "grant_type=refresh_token", nil)
	if rr.status != 200 || rr.body == first.body {
		t.Fatalf("refresh: %d %s", rr.status, rr.body)
	}
	noToken(t, f, "the refresh's answer", rr.body)
	if got := f.p.requests()[before]; got.Get("refresh_token") != "RT-1" {
		t.Fatalf("refresh sent %v", got)
	}
	if r := f.do("GET", "/api/x", "", nil); r.status != 200 || f.api.requests()[0].Header.Get("Authorization") != "Bearer AT-2" {
		t.Fatalf("after refresh: %d %s", r.status, r.body)
	}
}

// A provider error that quotes a credential never reaches the page.
func TestProviderErrorQuotingCredential(t *testing.T) {
	f := newFixture(t, nil)
	f.p.fail = func(w http.ResponseWriter, form url.Values) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "code " + form.Get("code") + " with verifier " + form.Get("code_verifier") + " is bad"})
		return true
	}
	r := f.do("POST", "/bff/token", exchangeForm(), nil)
	if r.status != 400 || r.code() != "invalid_grant" || strings.Contains(r.body, theCode) || strings.Contains(r.body, verifierV) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if strings.Contains(f.logs.String(), theCode) {
		t.Fatal("the log quotes the code")
	}
}

// The ID token is checked with the core's checks against the login's
// nonce before anything is kept.
func TestIDTokenNonceChecked(t *testing.T) {
	f := newFixture(t, nil)
	form := strings.Replace(exchangeForm(), "nonce="+theNonce, "nonce=another", 1)
	r := f.do("POST", "/bff/token", form, nil)
	if r.status != 502 || r.code() != "invalid_id_token" || len(r.cookies) != 0 {
		t.Fatalf("%d %s %v", r.status, r.body, r.cookies)
	}
}

// Logout revokes the refresh token and clears every chunk.
func TestLogoutRevokesAndClears(t *testing.T) {
	f := newFixture(t, nil)
	f.login()
	r := f.do("POST", "/bff/logout", "", nil)
	if r.status != 200 || !strings.Contains(r.body, `"revoked":true`) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	reqs := f.p.requests()
	if last := reqs[len(reqs)-1]; last.Get("token") != "RT-1" || last.Get("token_type_hint") != "refresh_token" {
		t.Fatalf("revocation got %v", last)
	}
	cleared := map[string]bool{}
	for _, c := range r.cookies {
		if c.MaxAge < 0 {
			cleared[c.Name] = true
		}
	}
	for i := 0; i < MaxCookieChunks; i++ {
		if !cleared[f.h.jar.chunkName(i)] {
			t.Fatalf("chunk %d not cleared: %v", i, r.cookies)
		}
	}
	if s := f.do("POST", "/bff/session", "", nil); !strings.Contains(s.body, `"loggedIn":false`) {
		t.Fatalf("after logout: %s", s.body)
	}
	if p := f.do("GET", "/api/x", "", nil); p.status != 401 || p.code() != "login_required" {
		t.Fatalf("proxy after logout: %d %s", p.status, p.body)
	}
}
