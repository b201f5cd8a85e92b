package oauth

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func int64p(n int64) *int64 { return &n }

// Per-call parameters reach the authorization request; each guard refuses
// its bad value with invalid_argument and stores no login.
func TestLoginOptionsParams(t *testing.T) {
	cfg := testConfig("https://idp.example.com/oauth2/token")
	withOpenID(&cfg)
	cfg.ExtraParams = map[string]string{"prompt": "consent", "domain_hint": "example.com"}
	e := newEnv(t, cfg, httpTransport{})
	u, err := e.c.StartLoginWith(context.Background(), LoginOptions{ReturnTo: "/x", Prompt: "login", LoginHint: "ann@example.com",
		MaxAge: int64p(0), ACRValues: "urn:mfa urn:pwd", UILocales: "fr-CA fr", ExtraParams: map[string]string{"resource": "r"}})
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, u)
	for k, want := range map[string]string{"prompt": "login", "login_hint": "ann@example.com", "max_age": "0",
		"acr_values": "urn:mfa urn:pwd", "ui_locales": "fr-CA fr", "resource": "r", "domain_hint": "example.com", "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	for name, o := range map[string]LoginOptions{
		"state smuggled":        {ExtraParams: map[string]string{"State": "x"}},
		"redirect smuggled":     {ExtraParams: map[string]string{" redirect_uri": "https://evil.example"}},
		"nonce smuggled":        {ExtraParams: map[string]string{"nonce": "n"}},
		"secret":                {ExtraParams: map[string]string{"client_secret": "s"}},
		"max_age as extra":      {ExtraParams: map[string]string{"max_age": "5"}},
		"prompt unknown":        {Prompt: "always"},
		"prompt none and login": {Prompt: "none login"},
		"maxAge negative":       {MaxAge: int64p(-1)},
		"acrEssential alone":    {ACREssential: true},
		"loginHint line break":  {LoginHint: "a\r\nb"},
	} {
		before, _ := e.logins.Keys(loginPrefix)
		if _, err := e.c.StartLoginWith(context.Background(), o); code(err) != CodeInvalidArgument {
			t.Errorf("%s: %v, want invalid_argument", name, err)
		}
		if after, _ := e.logins.Keys(loginPrefix); len(after) != len(before) {
			t.Errorf("%s: a login was stored", name)
		}
	}
	// Without openid nothing could check auth_time or acr.
	e2 := newEnv(t, testConfig("https://idp.example.com/oauth2/token"), httpTransport{})
	if _, err := e2.c.StartLoginWith(context.Background(), LoginOptions{MaxAge: int64p(60)}); code(err) != CodeInvalidArgument {
		t.Errorf("maxAge without openid: %v", err)
	}
}

// auth_time and acr at login (OpenID Connect Core §3.1.3.7 items 12-13).
func TestAuthTimeAndACRChecks(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Leeway: time.Minute}
	at := func(d time.Duration) Number { return jsonNum(now.Add(d).Unix()) }
	for _, tc := range []struct {
		name  string
		want  IDTokenExpect
		extra map[string]any
		check string
	}{
		{"no max_age, no auth_time", IDTokenExpect{}, nil, ""},
		{"max_age, no auth_time", IDTokenExpect{MaxAge: int64p(300)}, nil, CheckAuthTime},
		{"max_age, auth_time a string", IDTokenExpect{MaxAge: int64p(300)}, map[string]any{"auth_time": "1800000000"}, CheckAuthTime},
		{"max_age, recent auth_time", IDTokenExpect{MaxAge: int64p(300)}, map[string]any{"auth_time": at(-299 * time.Second)}, ""},
		{"max_age, auth_time within the leeway", IDTokenExpect{MaxAge: int64p(300)}, map[string]any{"auth_time": at(-359 * time.Second)}, ""},
		{"max_age, auth_time too old", IDTokenExpect{MaxAge: int64p(300)}, map[string]any{"auth_time": at(-361 * time.Second)}, CheckAuthTime},
		{"max_age 0, auth_time an hour ago", IDTokenExpect{MaxAge: int64p(0)}, map[string]any{"auth_time": at(-time.Hour)}, CheckAuthTime},
		{"max_age, auth_time in the future", IDTokenExpect{MaxAge: int64p(300)}, map[string]any{"auth_time": at(2 * time.Minute)}, CheckAuthTime},
		{"essential acr met", IDTokenExpect{ACR: []string{"urn:mfa", "urn:hw"}}, map[string]any{"acr": "urn:hw"}, ""},
		{"essential acr missing", IDTokenExpect{ACR: []string{"urn:mfa"}}, nil, CheckACR},
		{"essential acr weaker", IDTokenExpect{ACR: []string{"urn:mfa"}}, map[string]any{"acr": "urn:pwd"}, CheckACR},
		{"voluntary acr weaker", IDTokenExpect{}, map[string]any{"acr": "urn:pwd"}, ""},
	} {
		c := map[string]any{"iss": "https://idp.example.com", "sub": "u", "aud": "client-1", "iat": jsonNum(now.Unix()), "exp": jsonNum(now.Unix() + 3600)}
		for k, val := range tc.extra {
			c[k] = val
		}
		err := v.CheckClaims(c, tc.want, now)
		if FailedCheck(err) != tc.check || (err == nil) != (tc.check == "") {
			t.Errorf("%s: err = %v, want check %q", tc.name, err, tc.check)
		}
	}
}

// The login's max_age and essential acr survive in the stored login and
// are applied at the callback: a token authenticated too long ago, or
// with a weaker acr, replaces nothing.
func TestCallbackAppliesMaxAgeAndACR(t *testing.T) {
	for _, tc := range []struct {
		name   string
		o      LoginOptions
		claims map[string]any
		check  string
	}{
		{"max_age met", LoginOptions{MaxAge: int64p(60)}, map[string]any{"auth_time": testIssuedAt.Unix()}, ""},
		{"forged old auth_time", LoginOptions{MaxAge: int64p(60)}, map[string]any{"auth_time": testIssuedAt.Add(-time.Hour).Unix()}, CheckAuthTime},
		{"acr essential met", LoginOptions{ACRValues: "urn:mfa", ACREssential: true}, map[string]any{"acr": "urn:mfa"}, ""},
		{"acr essential weaker", LoginOptions{ACRValues: "urn:mfa", ACREssential: true}, map[string]any{"acr": "urn:pwd"}, CheckACR},
	} {
		p := newProvider(t)
		var nonce string
		p.set(func(w http.ResponseWriter, form url.Values) {
			c := map[string]any{"nonce": nonce}
			for k, v := range tc.claims {
				c[k] = v
			}
			writeJSON(w, 200, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": idToken(t, c)})
		})
		cfg := testConfig(p.srv.URL)
		withOpenID(&cfg)
		e := newEnv(t, cfg, httpTransport{})
		u, err := e.c.StartLoginWith(context.Background(), tc.o)
		if err != nil {
			t.Fatal(err)
		}
		q := mustQuery(t, u)
		nonce = q.Get("nonce")
		_, err = e.c.HandleCallback(context.Background(), cfg.RedirectURI+"?code=c&state="+q.Get("state"))
		if FailedCheck(err) != tc.check || (err == nil) != (tc.check == "") {
			t.Errorf("%s: %v, want check %q", tc.name, err, tc.check)
		}
		if _, stored, _ := e.tokens.Get(e.c.tokensKey()); stored != (tc.check == "") {
			t.Errorf("%s: stored = %v", tc.name, stored)
		}
	}
}
