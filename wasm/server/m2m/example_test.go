package m2m_test

import (
	"context"
	"log"
	"os"
	"strings"

	"github.com/gopkce/gopkce/wasm/server/m2m"
)

// Seed 004: an API on Cognito takes client_credentials tokens with
// scope api/write, the client authenticating with HTTP Basic. One token
// source per client, shared by every request of the server.
func Example() {
	ts := m2m.Config{
		TokenURL:     "https://auth-provider-dev.auth.eu-west-1.amazoncognito.com/oauth2/token",
		ClientID:     os.Getenv("M2M_CLIENT_ID"),
		ClientSecret: os.Getenv("M2M_CLIENT_SECRET"), // from the environment, never a flag
		Scopes:       []string{"api/write"},
	}.TokenSource(context.Background())
	api := m2m.Client(ts, nil) // adds Authorization: Bearer <token>
	resp, err := api.Post("https://api.example.com/records", "application/json", strings.NewReader(`{}`))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
}
