package oauth

import (
	"context"
	"net/http"
	"strings"
	"testing"
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
		r, err := parseTokenResponse(status, http.Header{"Content-Type": {"application/json"}}.Get, []byte(body))
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
