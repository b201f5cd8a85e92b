package devidp

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gopkce/gopkce/wasm/server/m2m"
)

func ccForm(scope string) url.Values {
	v := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}

func TestClientCredentialsGrant(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.RegisterClient(Client{ID: "m2m", Secret: "m2m-secret", Scopes: []string{"api/read", "api/write"}})
	f.s.RegisterClient(Client{ID: "b2c-m2m", Secret: "post-secret", AuthMethod: ClientSecretPost, Scopes: []string{"api/read"}})
	f.s.RegisterClient(Client{ID: "web", Secret: "web-secret", RedirectURIs: []string{redirect}})
	auth := []string{"Authorization", basic("m2m", "m2m-secret")}

	r := f.token(t, ccForm("api/write"), auth...)
	if r.status != 200 || r.body["token_type"] != "Bearer" || r.body["expires_in"] != 3600.0 || r.body["refresh_token"] != nil || r.body["id_token"] != nil {
		t.Fatalf("grant: %d %v", r.status, r.body)
	}
	claims, err := f.s.verifyAccess(r.body["access_token"].(string))
	if err != nil || claims["sub"] != "m2m" || claims["client_id"] != "m2m" || claims["scope"] != "api/write" || claims["username"] != nil {
		t.Fatalf("claims %v %v", claims, err)
	}
	// The user API refuses a token that names no user.
	if s := f.apiStatus(t, r.body["access_token"].(string)); s != 401 {
		t.Fatalf("/api/me with a client token: %d", s)
	}
	// No scope: all of the client's.
	r = f.token(t, ccForm(""), auth...)
	if c, _ := f.s.verifyAccess(r.body["access_token"].(string)); c["scope"] != "api/read api/write" {
		t.Fatalf("default scope %v", c["scope"])
	}
	// client_secret_post client.
	r = f.token(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {"b2c-m2m"}, "client_secret": {"post-secret"}, "scope": {"api/read"}})
	if r.status != 200 {
		t.Fatalf("post client: %d %v", r.status, r.body)
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
		status int
		code   string
	}{
		{"scope not granted to the client", ccForm("api/admin"), auth, 400, "invalid_scope"},
		{"one scope too many", ccForm("api/write openid"), auth, 400, "invalid_scope"},
		{"wrong secret", ccForm("api/write"), []string{"Authorization", basic("m2m", "nope")}, 401, "invalid_client"},
		{"no authentication", url.Values{"grant_type": {"client_credentials"}, "client_id": {"m2m"}}, nil, 401, "invalid_client"},
		{"public client", url.Values{"grant_type": {"client_credentials"}, "client_id": {"spa"}}, nil, 400, "unauthorized_client"},
		{"confidential client without scopes", ccForm(""), []string{"Authorization", basic("web", "web-secret")}, 400, "unauthorized_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.token(t, tc.form, tc.header...)
			wantTokenError(t, r, tc.status, tc.code)
			if tc.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestRecordsAPIChecksTheScope(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.RegisterClient(Client{ID: "m2m", Secret: "m2m-secret", Scopes: []string{"api/read", "api/write"}})
	tok := func(scope string) string {
		return f.token(t, ccForm(scope), "Authorization", basic("m2m", "m2m-secret")).body["access_token"].(string)
	}
	read, write := tok("api/read"), tok("api/write")
	userAT, _ := f.login(t) // scope "openid email": no API scope
	call := func(method, at string) *http.Response {
		req, _ := http.NewRequest(method, f.srv.URL+"/api/records", nil)
		if at != "" {
			req.Header.Set("Authorization", "Bearer "+at)
		}
		resp, err := f.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, tc := range []struct {
		name, method, at string
		status           int
		challenge        string
	}{
		{"read lists", "GET", read, 200, ""},
		{"write lists", "GET", write, 200, ""},
		{"write creates", "POST", write, 201, ""},
		{"read cannot create", "POST", read, 403, `error="insufficient_scope", scope="api/write"`},
		{"a user's token without the scope", "GET", userAT, 403, `error="insufficient_scope"`},
		{"no token", "POST", "", 401, `Bearer realm="devidp"`},
		{"tampered token", "POST", write[:len(write)-3] + "AAA", 401, `error="invalid_token"`},
		{"DELETE", "DELETE", write, 405, ""},
	} {
		resp := call(tc.method, tc.at)
		if resp.StatusCode != tc.status || !strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.challenge) {
			t.Errorf("%s: %d %q", tc.name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	f.advance(2 * time.Hour)
	if resp := call("GET", write); resp.StatusCode != 401 {
		t.Fatalf("expired token: %d", resp.StatusCode)
	}
	if n := f.s.RecordCalls(); n != 3 {
		t.Fatalf("%d authorised calls counted", n)
	}
}

// The machine-to-machine token source of wasm/server/m2m against this
// provider: 20 concurrent callers make one token request, and the demo's
// request shape (HTTP Basic, scope=api/write) is what the provider accepts.
func TestM2MTokenSourceAgainstProvider(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.RegisterClient(Client{ID: "m2m", Secret: "m2m-secret", Scopes: []string{"api/write"}})
	f.s.InjectFaults(Fault{Kind: FaultDelay, Delay: 100 * time.Millisecond})
	ts := m2m.Config{TokenURL: f.srv.URL + "/oauth2/token", ClientID: "m2m", ClientSecret: "m2m-secret", Scopes: []string{"api/write"}}.TokenSource(context.Background())
	api := m2m.Client(ts, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := api.Post(f.srv.URL+"/api/records", "", nil)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != 201 {
					err = errors.New(resp.Status)
				}
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.s.TokenRequests("client_credentials"); n != 1 {
		t.Fatalf("%d token requests for 20 concurrent calls", n)
	}
	if n := f.s.RecordCalls(); n != 20 {
		t.Fatalf("%d API calls", n)
	}
	// A wrong secret is a typed error.
	_, err := m2m.Config{TokenURL: f.srv.URL + "/oauth2/token", ClientID: "m2m", ClientSecret: "nope"}.TokenSource(context.Background()).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 401 {
		t.Fatalf("%T %v", err, err)
	}
}
