package oauth

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// The authorization request and the token-endpoint bodies are built with
// weburl; net/url, the oracle, must produce the same bytes.

// AuthorizeURL against the net/url construction gopkce used before.
func TestAuthorizeURLMatchesNetURL(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		endpoint, redirect      string
		scope                   string
		extra                   map[string]string
		state, challenge, nonce string
	}{
		{"plain", "https://idp.example.com/oauth2/authorize", "https://app.example.com/callback", "openid email",
			nil, "st-1", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "n-1"},
		{"B2C policy query and extras", "https://t.b2clogin.com/t.onmicrosoft.com/oauth2/v2.0/authorize?p=B2C_1_signin",
			"http://127.0.0.1:8080/cb?from=x%20y", "openid offline_access https://t.onmicrosoft.com/api/read",
			map[string]string{"prompt": "login consent", "ui_locales": "fr-CA é", "x&y": "a=b;c", "login_hint": "a+b@example.com", "~k.-_": "*'()!"},
			"a/b+c=", "ch", ""},
		{"no scope", "http://[::1]:9000/authorize", "http://[::1]:5173/", "", map[string]string{"audience": "https://api.example.com/"}, "s", "c", "n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("https://idp.example.com/oauth2/token")
			cfg.JWKSURI = "https://idp.example.com/jwks"
			cfg.AuthorizationEndpoint, cfg.RedirectURI, cfg.Scope, cfg.ExtraParams = tc.endpoint, tc.redirect, tc.scope, tc.extra
			e := newEnv(t, cfg, &stubTransport{})
			got := e.c.AuthorizeURL(tc.state, tc.challenge, tc.nonce)

			q := url.Values{}
			for k, v := range tc.extra {
				q.Set(k, v)
			}
			q.Set("response_type", "code")
			q.Set("client_id", cfg.ClientID)
			q.Set("redirect_uri", tc.redirect)
			q.Set("state", tc.state)
			q.Set("code_challenge", tc.challenge)
			q.Set("code_challenge_method", "S256")
			if tc.scope != "" {
				q.Set("scope", tc.scope)
			}
			if tc.nonce != "" {
				q.Set("nonce", tc.nonce)
			}
			sep := "?"
			if strings.Contains(tc.endpoint, "?") {
				sep = "&"
			}
			if want := tc.endpoint + sep + q.Encode(); got != want {
				t.Fatalf("AuthorizeURL\n got %s\nwant %s", got, want)
			}
		})
	}
}

// bodyRecorder keeps every request body sent to the provider.
type bodyRecorder struct {
	mu     sync.Mutex
	next   Transport
	bodies []string
}

func (r *bodyRecorder) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	r.mu.Lock()
	r.bodies = append(r.bodies, string(req.Body))
	r.mu.Unlock()
	return r.next.RoundTrip(ctx, req)
}

// The exchange, the refresh and the revocation bodies are what
// url.Values.Encode gives for the values they carry: keys sorted, each
// key and value query-escaped.
func TestTokenBodiesMatchNetURL(t *testing.T) {
	p := newProvider(t)
	h := newTokenHandler(false)
	p.set(h.serve(t))
	cfg := testConfig(p.srv.URL)
	cfg.ClientID = "client 1/é+&="
	cfg.RevocationEndpoint = p.srv.URL + "/revoke"
	cfg.RedirectURI = "https://app.example.com/call%20back;x=1"
	rec := &bodyRecorder{next: httpTransport{}}
	e := newEnv(t, cfg, rec)
	h.nonce = func() string { n, _ := e.nonce.Load().(string); return n }
	e.login(t)
	if _, err := e.c.Token(context.Background(), TokenOptions{ForceRefresh: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"authorization_code", "refresh_token", ""}
	if len(rec.bodies) != len(want) {
		t.Fatalf("%d requests, want %d: %q", len(rec.bodies), len(want), rec.bodies)
	}
	for i, body := range rec.bodies {
		v, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		if v.Get("grant_type") != want[i] || v.Get("client_id") != cfg.ClientID {
			t.Fatalf("body %d = %q: grant_type %q, client_id %q", i, body, v.Get("grant_type"), v.Get("client_id"))
		}
		if enc := v.Encode(); body != enc {
			t.Fatalf("body\n got %s\nwant %s (url.Values.Encode)", body, enc)
		}
	}
	if v, _ := url.ParseQuery(rec.bodies[0]); v.Get("redirect_uri") != cfg.RedirectURI || v.Get("code") != "the-code" {
		t.Fatalf("exchange body %q", rec.bodies[0])
	}
}
