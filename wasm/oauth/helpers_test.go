package oauth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// seqReader yields 0, 1, 2, ... so that generated values are predictable.
type seqReader struct{ n byte }

func (r *seqReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// stubTransport answers every request with one canned response and records
// the requests it saw.
type stubTransport struct {
	mu     sync.Mutex
	reqs   []*Request
	answer func(req *Request) (*Response, error)
}

func (s *stubTransport) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	return s.answer(req)
}

func (s *stubTransport) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func respond(status int, contentType, body string) func(*Request) (*Response, error) {
	return func(*Request) (*Response, error) {
		return &Response{
			Status: status,
			Header: http.Header{"Content-Type": {contentType}}.Get,
			Body:   io.NopCloser(strings.NewReader(body)),
		}, nil
	}
}

// provider is the fake provider of the core's tests, on httptest: it
// records every request's form and headers, counts token requests by
// grant type, and answers through a replaceable handler (a token endpoint
// by default; any endpoint, path and all, with setRequest).
type provider struct {
	srv     *httptest.Server
	mu      sync.Mutex
	handler http.HandlerFunc
	counts  map[string]*atomic.Int64
	forms   []url.Values
	headers []http.Header
}

func newProvider(t *testing.T) *provider {
	p := &provider{counts: map[string]*atomic.Int64{
		"authorization_code": {}, "refresh_token": {},
	}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", 400)
			return
		}
		p.mu.Lock()
		p.forms = append(p.forms, r.PostForm)
		p.headers = append(p.headers, r.Header.Clone())
		h := p.handler
		p.mu.Unlock()
		if c := p.counts[r.PostForm.Get("grant_type")]; c != nil {
			c.Add(1)
		}
		h(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// set answers every request with h, given the request's form.
func (p *provider) set(h func(w http.ResponseWriter, form url.Values)) {
	p.setRequest(func(w http.ResponseWriter, r *http.Request) { h(w, r.PostForm) })
}

// setRequest answers every request with h.
func (p *provider) setRequest(h http.HandlerFunc) {
	p.mu.Lock()
	p.handler = h
	p.mu.Unlock()
}

// requests is how many requests the provider has received.
func (p *provider) requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.forms)
}

func (p *provider) lastForm() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forms[len(p.forms)-1]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// testKey signs the fake provider's ID tokens (RS256, kid "test-key").
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// testKeys is the fake provider's key set.
func testKeys() *KeySet {
	pub := testKey().PublicKey
	return &KeySet{Keys: []JWK{{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: "test-key",
		N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}}
}

// rsaVerifier is a SignatureVerifier for RS256 on crypto/rsa, so that the
// core's tests link no JWT library.
type rsaVerifier struct{}

func (rsaVerifier) VerifySignature(_ context.Context, alg string, k *JWK, input, sig []byte) error {
	if alg != "RS256" {
		return ErrUnsupportedAlgorithm
	}
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	e, _ := base64.RawURLEncoding.DecodeString(k.E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	sum := sha256.Sum256(input)
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return ErrInvalidSignature
	}
	return nil
}

// testIssuedAt and testExpiry bracket every test's fake clock.
var (
	testIssuedAt = time.Date(2026, 11, 22, 11, 59, 0, 0, time.UTC)
	testExpiry   = testIssuedAt.Add(366 * 24 * time.Hour)
)

// idToken makes an RS256 JWT signed with testKey. Claims the caller does
// not give are those of a valid ID token for client-1 of
// https://idp.example.com; a nil value removes a claim.
func idToken(t testing.TB, claims map[string]any) string {
	all := map[string]any{"iss": "https://idp.example.com", "sub": "user-1", "aud": "client-1",
		"iat": testIssuedAt.Unix(), "exp": testExpiry.Unix()}
	for k, v := range claims {
		if v == nil {
			delete(all, k)
		} else {
			all[k] = v
		}
	}
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "test-key", "typ": "JWT"})
	c, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, testKey(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// testConfig is a Cognito-like configuration pointed at tokenURL.
func testConfig(tokenURL string) Config {
	return Config{
		Issuer:                "https://idp.example.com",
		AuthorizationEndpoint: "https://idp.example.com/oauth2/authorize",
		TokenEndpoint:         tokenURL,
		ClientID:              "client-1",
		RedirectURI:           "https://app.example.com/callback",
		Scope:                 "email profile",
	}
}

type env struct {
	c      *Client
	clock  *fakeClock
	logins *MemoryStorage
	tokens *MemoryStorage
	events *eventLog
	sleeps *atomic.Int64
	// waits records every backoff the refresh asked for, in order.
	waits  *durationLog
	timers *timerLog
	nonce  atomic.Value // the nonce of the last login, for the token handler
	pub    *pubLog
}

// timerLog records AfterFunc calls instead of running them.
type timerLog struct {
	mu sync.Mutex
	d  []time.Duration
	f  []func()
}

func (l *timerLog) after(d time.Duration, f func()) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.f = append(l.f, f)
	l.mu.Unlock()
}

type durationLog struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *durationLog) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *durationLog) all() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.d...)
}

// flightBarrier makes c report each caller that starts or joins a refresh
// flight, and returns a function that blocks until n callers have: a
// deterministic barrier instead of a sleep.
func flightBarrier(c *Client) func(n int) {
	joined := make(chan struct{}, 1024)
	c.joined = func() { joined <- struct{}{} }
	return func(n int) {
		for range n {
			<-joined
		}
	}
}

type eventLog struct {
	mu sync.Mutex
	ev []Event
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	l.ev = append(l.ev, e)
	l.mu.Unlock()
}

func (l *eventLog) types() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.ev {
		out = append(out, e.Type)
	}
	return out
}

func newEnv(t testing.TB, cfg Config, tr Transport) *env {
	t.Helper()
	e := &env{clock: newClock(), logins: NewMemoryStorage(), tokens: NewMemoryStorage(), events: &eventLog{}, sleeps: &atomic.Int64{}, timers: &timerLog{}, waits: &durationLog{}, pub: &pubLog{}}
	c, err := NewClient(cfg, Options{
		Transport: tr, LoginStorage: e.logins, TokenStorage: e.tokens,
		Now: e.clock.Now, Rand: &seqReader{}, SHA256: testSHA256, OnEvent: e.events.add,
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.sleeps.Add(1)
			e.waits.add(d)
			return nil
		},
		AfterFunc:  e.timers.after,
		OnToken:    e.pub.set,
		OnSession:  e.pub.setSession,
		Signatures: rsaVerifier{}, Keys: StaticKeys{Set: testKeys()},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	return e
}

// httpTransport is a minimal net/http transport for tests (the real adapter
// is in oauthhttp, which imports this package).
type httpTransport struct{}

func (httpTransport) RoundTrip(ctx context.Context, r *Request) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, strings.NewReader(string(r.Body)))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header.Get, Body: resp.Body}, nil
}

// login runs StartLogin and a callback with code "the-code" against p,
// leaving the client logged in.
func (e *env) login(t testing.TB) {
	t.Helper()
	u, err := e.c.StartLogin("/home")
	if err != nil {
		t.Fatal(err)
	}
	au, _ := url.Parse(u)
	state := au.Query().Get("state")
	e.nonce.Store(au.Query().Get("nonce"))
	cb := e.c.cfg.RedirectURI + "?code=the-code&state=" + url.QueryEscape(state)
	if _, err := e.c.HandleCallback(context.Background(), cb); err != nil {
		t.Fatalf("login: %v", err)
	}
}

// code returns the *Error code of err, or "" when err is not one.
func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// tokenHandler answers the code exchange and refreshes like Cognito or a
// rotating provider, numbering the tokens it issues.
type tokenHandler struct {
	mu       sync.Mutex
	n        int
	rotating bool
	ttl      int
	valid    map[string]bool // refresh tokens accepted
	nonce    func() string
	// noRefresh: code exchanges issue no refresh token.
	noRefresh bool
}

func newTokenHandler(rotating bool) *tokenHandler {
	return &tokenHandler{rotating: rotating, ttl: 3600, valid: map[string]bool{}}
}

func (h *tokenHandler) serve(t testing.TB) func(w http.ResponseWriter, form url.Values) {
	return func(w http.ResponseWriter, form url.Values) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.n++
		resp := map[string]any{
			"access_token": "at-" + itoa(h.n),
			"token_type":   "Bearer",
			"expires_in":   h.ttl,
		}
		switch form.Get("grant_type") {
		case "authorization_code":
			rt := "rt-" + itoa(h.n)
			if !h.noRefresh {
				h.valid[rt] = true
				resp["refresh_token"] = rt
			}
			claims := map[string]any{"user_id": "12345678901234567890"}
			if h.nonce != nil {
				claims["nonce"] = h.nonce()
			}
			resp["id_token"] = idToken(t, claims)
		case "refresh_token":
			rt := form.Get("refresh_token")
			if !h.valid[rt] {
				writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "Refresh Token has been revoked"})
				return
			}
			if h.rotating {
				delete(h.valid, rt)
				next := "rt-" + itoa(h.n)
				h.valid[next] = true
				resp["refresh_token"] = next
			}
		}
		writeJSON(w, 200, resp)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func errorsAs(err error, target **Error) bool { return errors.As(err, target) }

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func jsonNum(n int64) Number { return Number(strconv.FormatInt(n, 10)) }
