package oauth

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func BenchmarkParseTokenResponse(b *testing.B) {
	body := []byte(`{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln","token_type":"bearer","expires_in":3600,"refresh_token":"rt","id_token":"x.y.z"}`)
	h := http.Header{"Content-Type": {"application/json"}}.Get
	for b.Loop() {
		if _, err := parseTokenResponse(200, h, body, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStartLogin(b *testing.B) {
	e := newEnv(b, testConfig("https://idp.example.com/token"), &stubTransport{})
	for b.Loop() {
		if _, err := e.c.StartLogin("/"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenCached: Token on a fresh token (storage read and decode).
func BenchmarkTokenCached(b *testing.B) {
	tr := &stubTransport{answer: respond(200, "application/json", `{"access_token":"a","token_type":"Bearer","expires_in":3600,"refresh_token":"r"}`)}
	e := newEnv(b, testConfig("https://idp.example.com/token"), tr)
	e.login(b)
	for b.Loop() {
		if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
