package tokenhandler_test

import (
	"log"
	"net/http"

	"github.com/gopkce/gopkce/wasm/server/tokenhandler"
)

// A Go backend mounts the handler beside its site. The page then calls
// gopkce.configure({tokenHandler: "/oauth", ...}) without a tokenEndpoint.
func Example() {
	secret, err := tokenhandler.SecretFromEnv("OAUTH_CLIENT_SECRET") // or OAUTH_CLIENT_SECRET_FILE
	if err != nil {
		log.Fatal(err)
	}
	key, err := tokenhandler.KeyFromEnv("GOPKCE_COOKIE_KEY") // openssl rand -base64 32
	if err != nil {
		log.Fatal(err)
	}
	th, err := tokenhandler.New(tokenhandler.Config{
		TokenEndpoint:      "https://auth.smokeball.com/oauth2/token",
		RevocationEndpoint: "https://auth.smokeball.com/oauth2/revoke",
		ClientID:           "<app client id>",
		ClientSecret:       secret,
		AuthStyle:          tokenhandler.ClientSecretBasic, // Azure AD B2C: ClientSecretPost
		Origin:             "https://app.example.com",
		CookieKey:          key,
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/oauth/", th)
	mux.Handle("/", http.FileServer(http.Dir("web")))
	log.Fatal(http.ListenAndServeTLS(":443", "cert.pem", "key.pem", mux))
}
