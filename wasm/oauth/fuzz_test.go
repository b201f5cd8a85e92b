package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzHandleCallback: no callback URL panics, exchanges more than once, or
// leaves login state behind; errors are typed.
func FuzzHandleCallback(f *testing.F) {
	for _, s := range []string{
		"code=c&state=ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3",
		"error=access_denied&error_description=%3Cimg%3E&state=ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3",
		"code=a&code=b", "state=x;y", "%zz", "iss=https%3A%2F%2Fidp.example.com&code=c&state=ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3",
		"#access_token=x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		tr := &stubTransport{answer: respond(200, "application/json", `{"access_token":"a","token_type":"Bearer"}`)}
		e := newEnv(t, testConfig("https://idp.example.com/token"), tr)
		if _, err := e.c.StartLogin("/"); err != nil {
			t.Fatal(err)
		}
		_, err := e.c.HandleCallback(context.Background(), "https://app.example.com/callback?"+query)
		if err != nil && code(err) == "" {
			t.Fatalf("untyped error %v", err)
		}
		if err != nil {
			if d := err.(*Error).Description; !utf8.ValidString(d) || strings.ContainsAny(d, "\n\r\x00") {
				t.Fatalf("description not plain text: %q", d)
			}
		}
		if tr.count() > 1 {
			t.Fatal("more than one exchange")
		}
		if keys, _ := e.logins.Keys(loginPrefix); len(keys) != 0 {
			t.Fatal("login state left behind")
		}
	})
}

// FuzzParseTokenResponse: any body and status gives a response with the
// required fields or a typed error, never a panic.
func FuzzParseTokenResponse(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"a","token_type":"bearer","expires_in":"60","refresh_token":null}`,
		`{"error":"invalid_grant","error_description":"x"}`, `null`, `[]`, `<html>`, `{"access_token":`,
		`{"access_token":"a","token_type":"Bearer","expires_in":1e309}`,
	} {
		f.Add(200, s)
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		r, err := parseTokenResponse(status, http.Header{"Content-Type": {"application/json"}}.Get, []byte(body), time.Time{})
		if err != nil {
			if code(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if status != 200 || r.AccessToken == "" || r.TokenType != "Bearer" || r.ExpiresIn < 0 {
			t.Fatalf("accepted status %d: %+v", status, r)
		}
	})
}

// FuzzRefreshResponse: a refresh answered with any body, and an ID token
// whose claims are any JSON, never panics and never leaves a caller
// waiting: the call returns, with a typed error or a token, and the next
// call returns too (the flight and the lock were released).
func FuzzRefreshResponse(f *testing.F) {
	for _, s := range []struct {
		status       int
		claims, body string
	}{
		{200, `{"iss":"https://idp.example.com","sub":"user-1"}`, ""},
		{200, `{"iss":"https://idp.example.com","sub":{"id":1}}`, ""},
		{200, `{"iss":["https://idp.example.com"],"sub":"user-1"}`, ""},
		// Claims that pass every check before sub and nonce.
		{200, `{"iss":"https://idp.example.com","aud":"client-1","iat":` + itoa(int(testIssuedAt.Unix())) + `,"exp":` + itoa(int(testExpiry.Unix())) + `,"sub":{"id":[1,{"a":null}]}}`, ""},
		{200, `{"iss":"https://idp.example.com","aud":["client-1"],"iat":` + itoa(int(testIssuedAt.Unix())) + `,"exp":` + itoa(int(testExpiry.Unix())) + `,"sub":"user-1","nonce":{"x":1},"azp":[]}`, ""},
		{200, `{"iss":"https://idp.example.com","aud":"client-1","iat":` + itoa(int(testIssuedAt.Unix())) + `,"exp":` + itoa(int(testExpiry.Unix())) + `,"sub":"someone-else"}`, ""},
		{200, `{"iss":null,"sub":[[]]}`, ""},
		{200, `[]`, ""},
		{200, `"x"`, ""},
		{200, `{"sub":1e999}`, ""},
		{400, "", `{"error":"network_error"}`},
		{503, "", `{"error":"invalid_grant"}`},
		{200, "", `{"access_token":"a","token_type":"bearer","id_token":{"sub":1}}`},
	} {
		f.Add(s.status, s.claims, s.body)
	}
	f.Fuzz(func(t *testing.T, status int, claims, body string) {
		if body == "" {
			idt := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
				base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".sig"
			b, _ := json.Marshal(map[string]any{"access_token": "at-new", "token_type": "Bearer", "expires_in": 3600, "id_token": idt})
			body = string(b)
		}
		tr := &stubTransport{answer: respond(status, "application/json", body)}
		e := newEnv(t, testConfig("https://idp.example.com/token"), tr)
		old := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." +
			base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://idp.example.com","sub":"user-1"}`)) + ".sig"
		e.c.storeTokens(&TokenSet{V: 1, AccessToken: "at-old", TokenType: "Bearer", RefreshToken: "rt-1", IDToken: old,
			ExpiresAt: e.clock.Now().Add(-time.Minute).UnixMilli(), Lifetime: 3600000})
		for i := range 2 {
			done := make(chan error, 1)
			go func() {
				_, err := e.c.Token(context.Background(), TokenOptions{})
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil && code(err) == "" {
					t.Fatalf("untyped error %v", err)
				}
				if code(err) == CodeInternalError {
					t.Fatalf("call %d panicked inside: %v", i, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("call %d never returned", i)
			}
		}
	})
}
