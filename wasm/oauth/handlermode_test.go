package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/server/tokenhandler"
)

// pageTransport plays the browser's fetch for a page on origin: relative
// URLs resolve against it, the Origin header is always sent, and cookies
// go only with SameOriginCredentials.
type pageTransport struct {
	origin string
	jar    http.CookieJar
	mu     sync.Mutex
	reqs   []*Request
}

func (p *pageTransport) RoundTrip(ctx context.Context, r *Request) (*Response, error) {
	p.mu.Lock()
	p.reqs = append(p.reqs, r)
	p.mu.Unlock()
	u := r.URL
	if strings.HasPrefix(u, "/") {
		u = p.origin + u
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	req.Header.Set("Origin", p.origin)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if r.SameOriginCredentials {
		c.Jar = p.jar
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header.Get, Body: resp.Body}, nil
}

// handlerEnv is a page whose origin serves a token handler in front of
// the fake provider, which also answers RFC 7009 revocation.
type handlerEnv struct {
	*env
	p    *provider
	th   *tokenHandler
	page *pageTransport
}

func newHandlerEnv(t *testing.T, rotating bool) *handlerEnv {
	p := newProvider(t)
	th := newTokenHandler(rotating)
	serve := th.serve(t)
	p.set(func(w http.ResponseWriter, form url.Values) {
		if tok := form.Get("token"); tok != "" { // revocation
			th.mu.Lock()
			delete(th.valid, tok)
			th.mu.Unlock()
			return
		}
		serve(w, form)
	})
	app := httptest.NewServer(nil)
	t.Cleanup(app.Close)
	h, err := tokenhandler.New(tokenhandler.Config{
		TokenEndpoint: p.srv.URL, RevocationEndpoint: p.srv.URL + "/revoke",
		ClientID: "client-1", ClientSecret: "the-secret", Origin: app.URL,
		CookieKey: bytes.Repeat([]byte{1}, 32), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	app.Config.Handler = h
	jar, _ := cookiejar.New(nil)
	page := &pageTransport{origin: app.URL, jar: jar}
	cfg := testConfig("")
	cfg.TokenEndpoint = ""
	cfg.TokenHandler = "/oauth"
	cfg.RedirectURI = app.URL + "/callback"
	cfg.RefreshTokenLifetime = LifetimeCognito
	return &handlerEnv{env: newEnv(t, cfg, page), p: p, th: th, page: page}
}

func (e *handlerEnv) stored(t *testing.T) (TokenSet, string) {
	t.Helper()
	raw, _, _ := e.tokens.Get(e.c.tokensKey())
	var ts TokenSet
	if err := json.Unmarshal([]byte(raw), &ts); err != nil {
		t.Fatal(err)
	}
	return ts, raw
}

func TestTokenHandlerMode(t *testing.T) {
	for _, rotating := range []bool{false, true} {
		t.Run(map[bool]string{false: "cognito", true: "rotating"}[rotating], func(t *testing.T) {
			e := newHandlerEnv(t, rotating)
			e.login(t)
			ts, raw := e.stored(t)
			if ts.RefreshToken != "" || !ts.HandlerHeld || strings.Contains(raw, "rt-") {
				t.Fatalf("stored tokens %s", raw)
			}
			// The exchange went to the handler, same-origin with the
			// header; the provider saw the secret, the page never did.
			first := e.page.reqs[0]
			if first.URL != "/oauth/token" || first.Header["Gopkce-Request"] != "1" || !first.SameOriginCredentials {
				t.Fatalf("exchange request %+v", first)
			}
			if user, pass, ok := (&http.Request{Header: e.p.headers[0]}).BasicAuth(); !ok || user != "client-1" || pass != "the-secret" {
				t.Fatalf("provider saw %v", e.p.headers[0])
			}
			s, _ := e.c.Session()
			if !s.HasRefreshToken || s.RefreshTokenExpiresAt == 0 {
				t.Fatalf("session %+v", s)
			}
			for i := 0; i < 3; i++ {
				e.clock.Add(2 * time.Hour)
				tok, err := e.c.Token(context.Background(), TokenOptions{})
				if err != nil {
					t.Fatalf("refresh %d: %v", i, err)
				}
				ts, raw = e.stored(t)
				if tok != ts.AccessToken || ts.RefreshToken != "" || !ts.HandlerHeld || strings.Contains(raw, "rt-") {
					t.Fatalf("after refresh %d: %s", i, raw)
				}
				if f := e.p.lastForm(); f.Get("grant_type") != "refresh_token" || f.Get("refresh_token") == "" {
					t.Fatalf("provider form %v", f)
				}
			}
			for _, r := range e.page.reqs {
				if strings.Contains(string(r.Body), "refresh_token=") || strings.Contains(string(r.Body), "secret") {
					t.Fatalf("the page sent %s", r.Body)
				}
			}
			// Logout revokes at the provider through the handler: the
			// refresh token the cookie held is refused from then on.
			e.th.mu.Lock()
			valid := len(e.th.valid)
			e.th.mu.Unlock()
			if valid != 1 {
				t.Fatalf("%d valid refresh tokens before logout", valid)
			}
			if _, err := e.c.Logout(context.Background()); err != nil {
				t.Fatal(err)
			}
			if last := e.page.reqs[len(e.page.reqs)-1]; last.URL != "/oauth/logout" || !last.SameOriginCredentials {
				t.Fatalf("logout request %+v", last)
			}
			e.th.mu.Lock()
			valid = len(e.th.valid)
			e.th.mu.Unlock()
			if valid != 0 {
				t.Fatal("the refresh token survived logout")
			}
			if s, _ := e.c.Session(); s.LoggedIn {
				t.Fatal("still logged in")
			}
		})
	}
}

// A handler that lets a refresh token through (misconfigured) does not
// put it in JavaScript's storage.
func TestTokenHandlerModeDropsALeakedRefreshToken(t *testing.T) {
	tr := &stubTransport{answer: respond(200, "application/json", `{"access_token":"a","token_type":"Bearer","refresh_token":"leaked","refresh_token_held":true}`)}
	cfg := testConfig("")
	cfg.TokenEndpoint, cfg.TokenHandler = "", "/oauth"
	e := newEnv(t, cfg, tr)
	e.login(t)
	raw, _, _ := e.tokens.Get(e.c.tokensKey())
	if strings.Contains(raw, "leaked") || !strings.Contains(raw, `"handler_held":true`) {
		t.Fatalf("stored %s", raw)
	}
	// And the public-client mode ignores refresh_token_held.
	e2 := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{answer: respond(200, "application/json", `{"access_token":"a","token_type":"Bearer","refresh_token_held":true}`)})
	e2.login(t)
	if s, _ := e2.c.Session(); s.HasRefreshToken {
		t.Fatal("refresh_token_held honoured without a token handler")
	}
}

func TestTokenHandlerConfig(t *testing.T) {
	base := `"authorizationEndpoint":"https://idp.example.com/a","clientId":"c","redirectUri":"https://app.example.com/cb"`
	// One refresh-token cookie per browser: tokens are shared by every tab.
	for _, storage := range []string{``, `,"storage":"local"`} {
		if c, err := ParseConfig([]byte(`{` + base + `,"tokenHandler":"/oauth"` + storage + `}`)); err != nil || c.TokenHandler != "/oauth" || c.Storage != StorageLocal {
			t.Fatalf("%q: %+v %v", storage, c, err)
		}
	}
	for name, tc := range map[string]struct{ extra, field string }{
		"both":              {`,"tokenHandler":"/oauth","tokenEndpoint":"https://idp.example.com/t"`, "tokenHandler"},
		"neither":           {``, "tokenEndpoint"},
		"absolute URL":      {`,"tokenHandler":"https://evil.example/oauth"`, "tokenHandler"},
		"scheme-relative":   {`,"tokenHandler":"//evil.example/oauth"`, "tokenHandler"},
		"backslash":         {`,"tokenHandler":"/\\evil.example"`, "tokenHandler"},
		"relative":          {`,"tokenHandler":"oauth"`, "tokenHandler"},
		"trailing slash":    {`,"tokenHandler":"/oauth/"`, "tokenHandler"},
		"query":             {`,"tokenHandler":"/oauth?x=1"`, "tokenHandler"},
		"dot-dot":           {`,"tokenHandler":"/a/../oauth"`, "tokenHandler"},
		"dot-dot escaped":   {`,"tokenHandler":"/a/%2e%2E/oauth"`, "tokenHandler"}, // a browser reads %2e as a dot here
		"dot-dot half":      {`,"tokenHandler":"/a/.%2e/oauth"`, "tokenHandler"},
		"dot escaped":       {`,"tokenHandler":"/%2E/oauth"`, "tokenHandler"},
		"session storage":   {`,"tokenHandler":"/oauth","storage":"session"`, "storage"},
		"memory storage":    {`,"tokenHandler":"/oauth","storage":"memory"`, "storage"},
		"grantType":         {`,"tokenHandler":"/oauth","grantType":"client_credentials"`, "grantType"},
		"grant_types":       {`,"tokenHandler":"/oauth","grant_types":["client_credentials"]`, "grant_types"},
		"clientCredentials": {`,"tokenHandler":"/oauth","clientCredentials":true`, "clientCredentials"},
		"client_secret":     {`,"tokenHandler":"/oauth","client_secret":"x"`, "client_secret"},
		"authStyle":         {`,"tokenHandler":"/oauth","authStyle":"basic"`, "authStyle"},
		"extraParams grant": {`,"tokenHandler":"/oauth","extraParams":{"grant_type":"client_credentials"}`, "extraParams.grant_type"},
		"extraParams value": {`,"tokenHandler":"/oauth","extraParams":{"flow":"client_credentials"}`, "extraParams.flow"},
	} {
		_, err := ParseConfig([]byte(`{` + base + tc.extra + `}`))
		var e *Error
		if !errorsAs(err, &e) || e.Code != CodeInvalidConfig || e.Field != tc.field {
			t.Errorf("%s: %v", name, err)
			continue
		}
		// Client credentials are refused as such, not merely as unknown keys.
		if strings.Contains(tc.extra, "grant") || strings.Contains(tc.extra, "Credentials") || strings.Contains(tc.extra, "client_credentials") || strings.Contains(tc.extra, "authStyle") {
			if !strings.Contains(e.Error(), "machine to machine") {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}
