package oauth

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A login that asked for openid and got no ID token is refused, and
// nothing is stored (OpenID Connect Core §3.1.3.3).
func TestOpenIDWithoutIDTokenIsRefused(t *testing.T) {
	p := newProvider(t)
	p.set(func(w http.ResponseWriter, _ url.Values) {
		writeJSON(w, 200, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt"})
	})
	cfg := testConfig(p.srv.URL)
	withOpenID(&cfg)
	e := newEnv(t, cfg, httpTransport{})
	u, _ := e.c.StartLogin("/")
	_, err := e.c.HandleCallback(context.Background(), cfg.RedirectURI+"?code=c&state="+mustQuery(t, u).Get("state"))
	if code(err) != CodeInvalidIDToken || FailedCheck(err) != CheckPresent {
		t.Fatalf("err = %v, want invalid_id_token from the present check", err)
	}
	if e.stored(t) != nil {
		t.Fatal("tokens stored without the ID token")
	}
}

// CheckClaims on refresh (§12.2): auth_time, when present, unchanged;
// nonce, when present, the original; azp unchanged.
func TestRefreshContinuityChecks(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Leeway: DefaultClockLeeway}
	claims := func(extra map[string]any) map[string]any {
		c := map[string]any{"iss": "https://idp.example.com", "sub": "u", "aud": "client-1",
			"iat": jsonNum(now.Unix()), "exp": jsonNum(now.Unix() + 3600), "auth_time": jsonNum(now.Unix() - 60), "nonce": "n"}
		for k, val := range extra {
			if val == nil {
				delete(c, k)
			} else {
				c[k] = val
			}
		}
		return c
	}
	prev := claims(nil)
	for _, tc := range []struct {
		name  string
		extra map[string]any
		check string
	}{
		{"unchanged", nil, ""},
		{"nonce and auth_time absent", map[string]any{"nonce": nil, "auth_time": nil}, ""},
		{"auth_time changed", map[string]any{"auth_time": jsonNum(now.Unix())}, CheckAuthTime},
		{"nonce changed", map[string]any{"nonce": "m"}, CheckNonce},
		{"azp appeared", map[string]any{"azp": "client-1"}, CheckAzp},
		{"sub changed", map[string]any{"sub": "v"}, CheckSub},
		{"aud grew", map[string]any{"aud": []any{"client-1", "x"}, "azp": "client-1"}, CheckAud},
		{"iss changed", map[string]any{"iss": "https://other.example"}, CheckIss},
	} {
		err := v.CheckClaims(claims(tc.extra), IDTokenExpect{Previous: prev}, now)
		if FailedCheck(err) != tc.check || (err == nil) != (tc.check == "") {
			t.Errorf("%s: err = %v, want check %q", tc.name, err, tc.check)
		}
	}
}

// configure never waits for the network: NewClient sends nothing, even when
// the configuration is discovery alone; StartLogin reads the document once
// and the callback's tab reuses it from session storage.
func TestDiscoveryIsLazyAndCachedPerTab(t *testing.T) {
	var calls []string
	doc := `{"issuer":"https://idp.example.com","authorization_endpoint":"https://idp.example.com/authorize","token_endpoint":"https://idp.example.com/token","jwks_uri":"https://idp.example.com/keys","code_challenge_methods_supported":["S256"],"authorization_response_iss_parameter_supported":true}`
	tr := TransportFunc(func(_ context.Context, r *Request) (*Response, error) {
		calls = append(calls, r.Method+" "+r.URL)
		return &Response{Status: 200, Header: func(string) string { return "" }, Body: io.NopCloser(strings.NewReader(doc))}, nil
	})
	logins := NewMemoryStorage()
	cfg := Config{Issuer: "https://idp.example.com", ClientID: "client-1", RedirectURI: "https://app.example.com/callback", Scope: "openid"}
	newClient := func() *Client {
		c, err := NewClient(cfg, Options{Transport: tr, Rand: &seqReader{}, SHA256: testSHA256, LoginStorage: logins, Signatures: rsaVerifier{}, Keys: StaticKeys{Set: testKeys()}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := newClient()
	if len(calls) != 0 {
		t.Fatalf("configure sent %v", calls)
	}
	u, err := c.StartLogin("/")
	if err != nil || !strings.HasPrefix(u, "https://idp.example.com/authorize?") || len(calls) != 1 || calls[0] != "GET https://idp.example.com/.well-known/openid-configuration" {
		t.Fatalf("StartLogin = %q %v; requests %v", u, err, calls)
	}
	// The callback page is a new module instance in the same tab.
	c2 := newClient()
	if p := c2.knownProvider(); p == nil || p.tokenEndpoint != "https://idp.example.com/token" || !p.issParameterSupported {
		t.Fatalf("the tab's cache did not give the provider: %+v", p)
	}
	if len(calls) != 1 {
		t.Fatalf("requests %v", calls)
	}
}

// failingKeys is a key source whose provider cannot be reached.
type failingKeys struct{}

func (failingKeys) KeySet(context.Context, bool) (*KeySet, error) {
	return nil, NewError(CodeNetworkError, "no network")
}

// A refresh whose ID token cannot be verified for want of the key set (a
// network failure) keeps the session: the new access and refresh tokens
// are stored, the new ID token is dropped, the verified one stays. Only a
// refusal ends the session.
func TestRefreshKeySetUnreachableKeepsSession(t *testing.T) {
	e, p, _ := loggedInWith(t, true, withOpenID)
	before := e.stored(t)
	e.c.static.keys = failingKeys{}
	e.clock.Add(2 * time.Hour)
	p.set(func(w http.ResponseWriter, form url.Values) {
		writeJSON(w, 200, map[string]any{
			"access_token": "at-new", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-new",
			"id_token": idToken(t, map[string]any{"name": "new"}),
		})
	})
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	after := e.stored(t)
	if err != nil || tok != "at-new" || after == nil || after.RefreshToken != "rt-new" || after.IDToken != before.IDToken {
		t.Fatalf("Token = %q, %v; stored %+v", tok, err, after)
	}
}
