package oauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/gopkce/gopkce/wasm/oauth"
	"github.com/gopkce/gopkce/wasm/oauth/oauthhttp"
)

// The whole flow, natively: start a login, follow the provider's redirect
// back, get a token. In the browser the binding does the same with
// sessionStorage and fetch.
func Example() {
	// A stand-in token endpoint.
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": "at-for-" + r.PostForm.Get("code"), "token_type": "bearer", "expires_in": 3600,
		})
	}))
	defer idp.Close()

	cfg, err := oauth.ParseConfig([]byte(`{
		"authorizationEndpoint": "https://auth.example.com/oauth2/authorize",
		"tokenEndpoint": "` + idp.URL + `/oauth2/token",
		"clientId": "my-spa",
		"redirectUri": "http://localhost:8080/callback"
	}`))
	if err != nil {
		panic(err)
	}
	client, err := oauth.NewClient(cfg, oauthhttp.Defaults(oauth.Options{}))
	if err != nil {
		panic(err)
	}

	// 1. startLogin: the browser goes to the provider with a PKCE challenge.
	authURL, _ := client.StartLogin("/inbox")
	q := must(url.Parse(authURL)).Query()
	fmt.Println("method:", q.Get("code_challenge_method"))

	// 2. The provider redirects back with a code and the same state.
	callback := "http://localhost:8080/callback?code=xyz&state=" + url.QueryEscape(q.Get("state"))
	res, err := client.HandleCallback(context.Background(), callback)
	if err != nil {
		panic(err)
	}
	fmt.Println("return to:", res.ReturnTo)
	fmt.Println("address bar:", res.CleanURL)

	// 3. getToken: a valid access token.
	tok, _ := client.Token(context.Background(), oauth.TokenOptions{})
	fmt.Println("token:", tok)

	// A replayed callback is refused: the code is exchanged once.
	_, err = client.HandleCallback(context.Background(), callback)
	fmt.Println(err)
	// Output:
	// method: S256
	// return to: /inbox
	// address bar: http://localhost:8080/callback
	// token: at-for-xyz
	// gopkce: no_pending_login: no login was started in this tab (or it was already completed)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
