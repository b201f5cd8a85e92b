package oauth

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCorruptStoredTokens(t *testing.T) {
	e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
	for _, raw := range []string{"{", `{"v":1}`, `[]`, `{"v":2,"access_token":"a","expires_at":1}`} {
		e.tokens.Set(e.c.tokensKey(), raw)
		if _, err := e.c.Token(context.Background(), TokenOptions{}); !errors.Is(err, ErrLoginRequired) {
			t.Fatalf("%s: err = %v", raw, err)
		}
		if e.stored(t) != nil {
			t.Fatalf("%s: corrupt tokens kept", raw)
		}
	}
}

func TestForgetRefreshToken(t *testing.T) {
	e, p, _ := loggedIn(t, true)
	if err := e.c.ForgetRefreshToken(); err != nil {
		t.Fatal(err)
	}
	ts := e.stored(t)
	if ts == nil || ts.RefreshToken != "" || ts.AccessToken != "at-1" {
		t.Fatalf("stored %+v: want the access token kept and the refresh token gone", ts)
	}
	if tok, err := e.c.Token(context.Background(), TokenOptions{}); err != nil || tok != "at-1" {
		t.Fatalf("fresh token not served: %v", err)
	}
	e.clock.Add(2 * time.Hour)
	if _, err := e.c.Token(context.Background(), TokenOptions{}); !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want login_required", err)
	}
	if n := p.counts["refresh_token"].Load(); n != 0 {
		t.Fatalf("%d refresh requests without a refresh token", n)
	}
}
