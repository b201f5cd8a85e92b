package devidp_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gopkce/gopkce/cmd/internal/devidp"
	"github.com/gopkce/gopkce/wasm/server/m2m"
)

// A Go program using wasm/server/m2m with the fixed development
// credentials gets a client_credentials token from the development
// provider, and a wrong secret is refused.
func TestDevM2MCredentials(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	idp, err := devidp.New(issuer, devidp.Options{Clients: append([]devidp.Client{{ID: "gopkce-demo", AnyLoopback: true}},
		devidp.DevClients(devidp.Client{ID: "gopkce-demo", AnyLoopback: true}, "")...)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = idp.Handler()
	srv.Start()
	defer srv.Close()
	for _, tc := range []struct {
		secret string
		ok     bool
	}{{devidp.DevM2MSecret, true}, {"wrong", false}} {
		tok, err := m2m.Config{
			TokenURL: issuer + "/oauth2/token", ClientID: devidp.DevM2MClientID, ClientSecret: tc.secret, Scopes: []string{"api/write"},
		}.TokenSource(context.Background()).Token()
		if tc.ok && (err != nil || tok.AccessToken == "") {
			t.Fatalf("the development m2m credentials: %v", err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "invalid_client")) {
			t.Fatalf("a wrong secret: %v, want invalid_client", err)
		}
	}
}
