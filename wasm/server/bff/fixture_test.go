package bff

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/oauth"
)

const (
	appOrigin = "https://app.example.com"
	issuer    = "https://idp.example.com"
	clientID  = "bff-client"
	secret    = "s3cr3t-client"
	theNonce  = "n-0S6_WzA2Mj"
	theCode   = "the-code"
	verifierV = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

var testKey = bytes.Repeat([]byte{7}, 32)

var signingKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func keySet() *oauth.KeySet {
	pub := signingKey.PublicKey
	data, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	ks, err := oauth.ParseKeySet(data)
	if err != nil {
		panic(err)
	}
	return ks
}

// provider is a fake token and revocation endpoint issuing numbered tokens.
type fakeProvider struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []url.Values
	n    int
	now  func() time.Time
	pad  int // extra bytes in each token (cookie sizes)
	fail func(w http.ResponseWriter, form url.Values) bool
}

func (p *fakeProvider) idToken(nonce string) string {
	c := jwt.MapClaims{"iss": issuer, "aud": clientID, "sub": "user-1", "email": "a@example.com",
		"iat": p.now().Unix(), "exp": p.now().Add(time.Hour).Unix()}
	if nonce != "" {
		c["nonce"] = nonce
	}
	if p.pad > 0 {
		c["pad"] = strings.Repeat("p", p.pad)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = "k1"
	s, err := t.SignedString(signingKey)
	if err != nil {
		panic(err)
	}
	return s
}

func newFakeProvider(t testing.TB, now func() time.Time) *fakeProvider {
	p := &fakeProvider{now: now}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		p.mu.Lock()
		p.got = append(p.got, form)
		p.n++
		n := p.n
		fail := p.fail
		p.mu.Unlock()
		if fail != nil && fail(w, form) {
			return
		}
		if r.URL.Path == "/revoke" {
			return
		}
		pad := strings.Repeat("x", p.pad)
		resp := map[string]any{"access_token": "AT-" + itoa(n) + pad, "token_type": "Bearer", "expires_in": 300,
			"id_token": p.idToken(nonceFor(form)), "scope": "openid api"}
		if form.Get("grant_type") == "authorization_code" || p.pad > 0 {
			resp["refresh_token"] = "RT-" + itoa(n) + pad
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func nonceFor(form url.Values) string {
	if form.Get("grant_type") == "authorization_code" {
		return theNonce
	}
	return ""
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func (p *fakeProvider) requests() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.got...)
}

// api is a fake upstream API that records what it received.
type api struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []*http.Request
	bodies [][]byte
	handle func(w http.ResponseWriter, r *http.Request)
}

func newAPI(t testing.TB) *api {
	a := &api{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.got = append(a.got, r.Clone(r.Context()))
		a.bodies = append(a.bodies, body)
		handle := a.handle
		a.mu.Unlock()
		if handle != nil {
			handle(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "upstream=1; Path=/")
		json.NewEncoder(w).Encode(map[string]any{"path": r.URL.Path, "query": r.URL.RawQuery, "auth": r.Header.Get("Authorization") != ""})
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *api) requests() []*http.Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*http.Request(nil), a.got...)
}

type fixture struct {
	t    testing.TB
	p    *fakeProvider
	api  *api
	h    *Handler
	cfg  Config
	mu   sync.Mutex
	now  time.Time
	logs *bytes.Buffer
	jar  map[string]string // the browser's cookies
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newFixture(t testing.TB, edit func(*Config)) *fixture {
	f := &fixture{t: t, now: time.Unix(1_700_000_000, 0), logs: &bytes.Buffer{}, jar: map[string]string{}}
	f.p = newFakeProvider(t, f.clock)
	f.api = newAPI(t)
	f.cfg = Config{
		Issuer: issuer, TokenEndpoint: f.p.srv.URL + "/token", RevocationEndpoint: f.p.srv.URL + "/revoke",
		Keys: oauth.StaticKeys{Set: keySet()}, ClientID: clientID, ClientSecret: secret,
		Origin: appOrigin, CookieKey: testKey,
		Routes: []Route{{Path: "/api/", Upstream: f.api.srv.URL + "/v1/"}, {Path: "/legacy/", Upstream: f.api.srv.URL + "/old/", Token: IDToken}},
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Now: f.clock,
	}
	if edit != nil {
		edit(&f.cfg)
	}
	h, err := New(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

// result is an answer to the page.
type result struct {
	status  int
	header  http.Header
	body    string
	cookies []*http.Cookie
}

func (r result) code() string {
	var v struct{ Error string }
	json.Unmarshal([]byte(r.body), &v)
	return v.Error
}

// pageHeaders are what Chromium sends on a same-origin fetch from the page.
func pageHeaders(method string) http.Header {
	h := http.Header{}
	h.Set(RequestHeader, "1")
	h.Set("Sec-Fetch-Site", "same-origin")
	if method != http.MethodGet && method != http.MethodHead {
		h.Set("Origin", appOrigin)
	}
	return h
}

// do sends a request as the page would, with the jar's cookies, and keeps
// the cookies the answer sets.
func (f *fixture) do(method, target, body string, header http.Header) result {
	f.t.Helper()
	req := httptest.NewRequest(method, appOrigin+target, strings.NewReader(body))
	if header == nil {
		header = pageHeaders(method)
	}
	req.Header = header.Clone()
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range f.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(f.jar, c.Name)
		} else {
			f.jar[c.Name] = c.Value
		}
	}
	return result{status: res.StatusCode, header: res.Header, body: rec.Body.String(), cookies: res.Cookies()}
}

func exchangeForm() string {
	return url.Values{"grant_type": {"authorization_code"}, "code": {theCode}, "redirect_uri": {appOrigin + "/callback"},
		"code_verifier": {verifierV}, "nonce": {theNonce}, "client_id": {clientID}}.Encode()
}

func (f *fixture) login() result {
	f.t.Helper()
	r := f.do("POST", "/bff/token", exchangeForm(), nil)
	if r.status != 200 {
		f.t.Fatalf("login: %d %s", r.status, r.body)
	}
	return r
}

// tokens are every token the fake provider issued so far.
func (f *fixture) tokens() []string {
	var out []string
	for i := 1; i <= len(f.p.requests()); i++ {
		out = append(out, "AT-"+itoa(i), "RT-"+itoa(i))
	}
	return out
}

func noToken(t testing.TB, f *fixture, where, s string) {
	t.Helper()
	for _, tok := range f.tokens() {
		if strings.Contains(s, tok) {
			t.Fatalf("%s holds a token (%s): %s", where, tok, s)
		}
	}
	if strings.Contains(s, "eyJ") {
		t.Fatalf("%s holds a JWT: %s", where, s)
	}
	if strings.Contains(s, secret) {
		t.Fatalf("%s holds the secret", where)
	}
}

var _ = protocol.RequestHeader
