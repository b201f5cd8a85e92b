package oauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// revocationServer is the fake provider answering as an RFC 7009
// revocation endpoint.
func newRevocationServer(t *testing.T, answer http.HandlerFunc) *provider {
	p := newProvider(t)
	p.setRequest(answer)
	return p
}

// Logout revokes the refresh token at the revocation endpoint (RFC 7009,
// token_type_hint refresh_token) and clears the local state whatever the
// outcome, within a short timeout.
func TestLogoutRevokesTheRefreshToken(t *testing.T) {
	for _, tc := range []struct {
		name        string
		answer      func(w http.ResponseWriter, r *http.Request)
		wantRevoked bool
		wantCode    string
	}{
		{"200", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }, true, ""},
		{"503", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }, false, CodeNetworkError},
		{"400 unsupported_token_type", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 400, map[string]string{"error": "unsupported_token_type"})
		}, false, "unsupported_token_type"},
		{"302", func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Location", "/x"); w.WriteHeader(302) }, false, CodeInvalidResponse},
		{"never answers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, false, CodeNetworkError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := newRevocationServer(t, tc.answer)
			e, _, _ := loggedInWith(t, false, func(c *Config) {
				c.RevocationEndpoint = rs.srv.URL + "/oauth2/revoke"
				c.LogoutEndpoint = "https://idp.example.com/logout"
				c.Timeout = 300 * time.Millisecond // bounds the revocation too
			})
			start := time.Now()
			res, err := e.c.Logout(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("logout waited past its timeout")
			}
			if e.stored(t) != nil {
				t.Fatal("tokens kept after logout")
			}
			if res.Revoked != tc.wantRevoked || code(res.RevokeError) != tc.wantCode {
				t.Fatalf("revoked %v, error %v; want %v, %q", res.Revoked, res.RevokeError, tc.wantRevoked, tc.wantCode)
			}
			if !strings.HasPrefix(res.URL, "https://idp.example.com/logout?") {
				t.Fatalf("URL %q", res.URL)
			}
			if rs.requests() != 1 {
				t.Fatalf("%d revocation requests", rs.requests())
			}
			f := rs.forms[0]
			if f.Get("token") != "rt-1" || f.Get("token_type_hint") != "refresh_token" || f.Get("client_id") != "client-1" || len(f) != 3 {
				t.Fatalf("revocation form %v", f)
			}
			if rs.headers[0].Get("Authorization") != "" {
				t.Fatal("an Authorization header was sent")
			}
			if ev := e.events.types(); ev[len(ev)-1] != EventLoggedOut {
				t.Fatalf("events %v", ev)
			}
		})
	}
}

// Without a refresh token, or without a revocation endpoint, nothing is sent.
func TestLogoutWithoutRevocation(t *testing.T) {
	rs := newRevocationServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
	e, _, _ := loggedInWith(t, false, func(c *Config) { c.RevocationEndpoint = rs.srv.URL })
	e.c.ForgetRefreshToken()
	res, _ := e.c.Logout(context.Background())
	if rs.requests() != 0 || res.Revoked || res.RevokeError != nil {
		t.Fatal("revoked without a refresh token")
	}
	e2, p2, _ := loggedIn(t, false)
	e2.c.Logout(context.Background())
	if n := len(p2.forms); n != 1 { // the code exchange only
		t.Fatalf("%d requests", n)
	}
}

// id_token_hint is sent only when idTokenHint opts in.
func TestLogoutIDTokenHint(t *testing.T) {
	for _, opt := range []bool{false, true} {
		e, _, _ := loggedInWith(t, false, func(c *Config) {
			c.EndSessionEndpoint = "https://idp.example.com/end"
			c.IDTokenHint = opt
		})
		ts := e.stored(t)
		ts.IDToken = "header.claims.signature" // as a verified login leaves it
		e.c.storeTokens(ts)
		id := ts.IDToken
		res, _ := e.c.Logout(context.Background())
		u, _ := url.Parse(res.URL)
		if got := u.Query().Get("id_token_hint"); (got == id) != opt || (!opt && got != "") {
			t.Fatalf("idTokenHint %v: URL %s", opt, res.URL)
		}
	}
}

func TestLogoutURLs(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(c *Config)
		want string
	}{
		{"cognito", func(c *Config) { c.LogoutEndpoint = "https://auth.example.com/logout" },
			"https://auth.example.com/logout?client_id=client-1&logout_uri=https%3A%2F%2Fapp.example.com%2F"},
		{"oidc", func(c *Config) {
			c.EndSessionEndpoint = "https://idp.example.com/logout?p=B2C_1A"
			c.PostLogoutRedirectURI = "https://app.example.com/bye"
		}, "https://idp.example.com/logout?p=B2C_1A&client_id=client-1&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye"},
		{"none", func(c *Config) {}, "https://app.example.com/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, _ := loggedInWith(t, false, tc.cfg)
			res, err := e.c.Logout(context.Background())
			got := res.URL
			if err != nil || got != tc.want {
				t.Fatalf("Logout = %q, %v\nwant %q", got, err, tc.want)
			}
			if e.stored(t) != nil {
				t.Fatal("tokens kept after logout")
			}
			if evs := e.events.types(); evs[len(evs)-1] != EventLoggedOut {
				t.Fatalf("events = %v", evs)
			}
		})
	}
}
