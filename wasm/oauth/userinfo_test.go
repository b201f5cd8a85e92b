package oauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// UserInfo: the claims with their JSON types, sub compared with the ID
// token's, a signed answer verified, each refusal typed, the answer kept
// until the access token changes.
func TestUserInfo(t *testing.T) {
	var answer atomic.Value // func(w)
	var calls atomic.Int64
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		answer.Load().(func(http.ResponseWriter))(w)
	}))
	defer srv.Close()
	e, _, _ := loggedInWith(t, false, func(cfg *Config) {
		withOpenID(cfg)
		cfg.UserinfoEndpoint = srv.URL + "/userinfo"
	})
	ctx := context.Background()
	reply := func(status int, ct, body string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", ct)
			if status == 401 {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			}
			w.WriteHeader(status)
			w.Write([]byte(body))
		}
	}
	for _, tc := range []struct {
		name   string
		reply  func(http.ResponseWriter)
		check  string
		status int
	}{
		{"401", reply(401, "application/json", `{}`), "status", 401},
		{"not JSON", reply(200, "text/html", `<html>`), CheckFormat, 200},
		{"JSON type, not JSON", reply(200, "application/json", `{"sub":`), CheckFormat, 200},
		{"over the cap", reply(200, "application/json", `{"sub":"user-1","x":"`+strings.Repeat("a", maxUserinfoBytes)+`"}`), "size", 200},
		{"another sub", reply(200, "application/json", `{"sub":"user-2","email":"m@example.com"}`), CheckSub, 200},
		{"no sub", reply(200, "application/json", `{"email":"m@example.com"}`), CheckSub, 200},
		{"JWT for another audience", reply(200, "application/jwt", idToken(t, map[string]any{"aud": "other"})), CheckAud, 0},
		{"JWT of another issuer", reply(200, "application/jwt", idToken(t, map[string]any{"iss": "https://evil.example"})), CheckIss, 0},
		{"JWT with a bad signature", reply(200, "application/jwt", badSignature(idToken(t, nil))), CheckSignature, 0},
	} {
		answer.Store(tc.reply)
		_, err := e.c.UserInfo(ctx)
		var oe *Error
		if !errorsAs(err, &oe) || FailedCheck(err) != tc.check || tc.status != 0 && oe.Status != tc.status {
			t.Errorf("%s: %v, want check %q status %d", tc.name, err, tc.check, tc.status)
		}
	}
	if got := auth.Load(); got != "Bearer "+e.stored(t).AccessToken {
		t.Errorf("Authorization %q", got)
	}
	answer.Store(reply(200, "application/json; charset=utf-8", `{"sub":"user-1","email_verified":true,"n":12345678901234567890,"address":{"country":"CA"}}`))
	got, err := e.c.UserInfo(ctx)
	if err != nil || got["email_verified"] != true || got["n"] != Number("12345678901234567890") || got["address"].(map[string]any)["country"] != "CA" {
		t.Fatalf("claims %v, %v", got, err)
	}
	n := calls.Load()
	got["sub"] = "changed by the caller"
	if again, err := e.c.UserInfo(ctx); err != nil || again["sub"] != "user-1" || calls.Load() != n {
		t.Fatalf("second call: %v %v, %d requests (want the cached answer)", again, err, calls.Load()-n)
	}
	if _, err := e.c.Token(ctx, TokenOptions{ForceRefresh: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.UserInfo(ctx); err != nil || calls.Load() != n+1 {
		t.Fatalf("after a new access token: %v, %d requests", err, calls.Load()-n)
	}
	answer.Store(reply(200, "application/jwt", idToken(t, map[string]any{"email": "m@example.com"})))
	e.c.Token(ctx, TokenOptions{ForceRefresh: true})
	if got, err := e.c.UserInfo(ctx); err != nil || got["email"] != "m@example.com" {
		t.Fatalf("signed answer: %v %v", got, err)
	}
}

// badSignature changes the first character of a JWS's signature.
func badSignature(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 1
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}
