package devidp

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gopkce/gopkce/wasm/oauth"
	"github.com/gopkce/gopkce/wasm/oauth/oauthhttp"
	"github.com/gopkce/gopkce/wasm/oauth/oauthjwt"
)

// dpopClient is gopkce's native client against the fixture's provider.
type dpopClient struct {
	c      *oauth.Client
	keys   *oauthjwt.DPoPKeys
	events []string
	tokens oauth.Storage
}

func newDPoPClient(t *testing.T, f *fixture, mode oauth.DPoPMode, now func() time.Time) *dpopClient {
	t.Helper()
	d := &dpopClient{keys: oauthjwt.NewDPoPKeys(), tokens: oauth.NewMemoryStorage()}
	cfg := oauth.Config{
		AuthorizationEndpoint: f.srv.URL + "/oauth2/authorize", TokenEndpoint: f.srv.URL + "/oauth2/token",
		Issuer: f.s.Issuer(), ClientID: "spa", RedirectURI: redirect, Scope: "email", DPoP: mode, APIOrigins: []string{f.srv.URL},
	}
	c, err := oauth.NewClient(cfg, oauthhttp.Defaults(oauth.Options{
		Now: now, DPoPKeys: d.keys, TokenStorage: d.tokens,
		OnEvent: func(e oauth.Event) { d.events = append(d.events, e.Type) },
	}))
	if err != nil {
		t.Fatal(err)
	}
	d.c = c
	return d
}

// login runs StartLogin, the provider's login page and HandleCallback.
func (d *dpopClient) login(t *testing.T, f *fixture) error {
	t.Helper()
	u, err := d.c.StartLogin("/")
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	code := f.code(t, pu.Query(), "alice")
	_, err = d.c.HandleCallback(context.Background(), redirect+"?"+url.Values{"code": {code}, "state": {pu.Query().Get("state")}, "iss": {f.s.Issuer()}}.Encode())
	return err
}

// callMe calls /api/me with the client's headers, retrying once as
// gopkce.fetch does.
func (d *dpopClient) callMe(t *testing.T, f *fixture) int {
	t.Helper()
	me := f.srv.URL + "/api/me"
	h, err := d.c.APIHeaders(context.Background(), "GET", me, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := get(t, me, h)
	if resp.StatusCode != 401 {
		return resp.StatusCode
	}
	h2, err := d.c.APIHeaders(context.Background(), "GET", me, "", &oauth.APIRetry{Authorization: h.Authorization,
		Challenge: resp.Header.Get("WWW-Authenticate"), Nonce: resp.Header.Get("DPoP-Nonce"), Date: resp.Header.Get("Date")})
	if err != nil || h2 == nil {
		return resp.StatusCode
	}
	return get(t, me, h2).StatusCode
}

func get(t *testing.T, u string, h *oauth.APIHeaders) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", h.Authorization)
	if h.DPoP != "" {
		req.Header.Set("DPoP", h.DPoP)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func stored(t *testing.T, d *dpopClient) (at, rt, jkt string) {
	t.Helper()
	ts, err := d.c.Tokens(context.Background(), oauth.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ts.AccessToken, ts.RefreshToken, ts.JKT
}

func TestDPoPFlow(t *testing.T) {
	f := newFixture(t, Rotating)
	f.s.EnableDPoP(true, false)
	d := newDPoPClient(t, f, oauth.DPoPIfSupported, f.clock)
	if err := d.login(t, f); err != nil {
		t.Fatal(err)
	}
	at, _, jkt := stored(t, d)
	claims, err := f.s.Verify(at)
	if err != nil {
		t.Fatal(err)
	}
	cnf, _ := claims["cnf"].(map[string]any)
	if jkt == "" || cnf["jkt"] != jkt || d.keys.Len() != 1 {
		t.Fatalf("session jkt %q, token cnf %v, %d keys", jkt, cnf, d.keys.Len())
	}
	if s := d.callMe(t, f); s != 200 {
		t.Fatalf("/api/me: %d", s)
	}
	if _, err := d.c.Tokens(context.Background(), oauth.TokenOptions{ForceRefresh: true}); err != nil {
		t.Fatalf("bound refresh: %v", err)
	}
	if s := d.callMe(t, f); s != 200 {
		t.Fatalf("/api/me after refresh: %d", s)
	}
	jtis := map[string]bool{}
	for _, j := range f.s.DPoPProofs() {
		if jtis[j] {
			t.Fatalf("jti %s used twice", j)
		}
		jtis[j] = true
	}
	if len(jtis) != 4 { // exchange, call, refresh, call
		t.Fatalf("%d proofs, want 4", len(jtis))
	}
	if _, err := d.c.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d.keys.Len() != 0 {
		t.Fatal("logout kept the DPoP key")
	}
}

func TestDPoPProviderWithout(t *testing.T) {
	for _, mode := range []oauth.DPoPMode{oauth.DPoPIfSupported, oauth.DPoPRequired} {
		f := newFixture(t, Cognito)
		f.s.EnableDPoP(false, false)
		d := newDPoPClient(t, f, mode, f.clock)
		err := d.login(t, f)
		if mode == oauth.DPoPRequired {
			var e *oauth.Error
			if !errors.As(err, &e) || e.Code != oauth.CodeInvalidResponse {
				t.Fatalf("required against a provider without DPoP: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, _, jkt := stored(t, d); jkt != "" || d.keys.Len() != 0 || !strings.Contains(strings.Join(d.events, ","), oauth.EventDPoPNotBound) {
			t.Fatalf("bearer session: jkt %q, %d keys, events %v", jkt, d.keys.Len(), d.events)
		}
		if s := d.callMe(t, f); s != 200 {
			t.Fatalf("/api/me with the bearer token: %d", s)
		}
	}
}

func TestDPoPNonce(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.EnableDPoP(true, true)
	d := newDPoPClient(t, f, oauth.DPoPRequired, f.clock)
	if err := d.login(t, f); err != nil {
		t.Fatal(err)
	}
	if n := f.s.UseDPoPNonceAnswers(); n != 1 {
		t.Fatalf("login: %d use_dpop_nonce answers, want 1 (then the nonce is known)", n)
	}
	for i := range 2 {
		if s := d.callMe(t, f); s != 200 {
			t.Fatalf("call %d: %d", i, s)
		}
	}
	// The provider's and the API's origin are the same: no new refusal.
	if n := f.s.UseDPoPNonceAnswers(); n != 1 {
		t.Fatalf("calls: %d use_dpop_nonce answers, want still 1", n)
	}
	f.s.RotateDPoPNonce()
	if s := d.callMe(t, f); s != 200 {
		t.Fatalf("after rotation: %d", s)
	}
	if s := d.callMe(t, f); s != 200 || f.s.UseDPoPNonceAnswers() != 2 {
		t.Fatalf("after rotation: %d, %d use_dpop_nonce answers, want 2 (one retry, then none)", s, f.s.UseDPoPNonceAnswers())
	}
	// A nonce the server keeps refusing is an error, not a loop.
	f.s.RotateDPoPNonce()
	n := f.s.UseDPoPNonceAnswers()
	f.s.mu.Lock()
	f.s.dpop.requireNonce = true
	f.s.mu.Unlock()
	stubborn := NewStubbornNonce(f)
	defer stubborn()
	_, err := d.c.Tokens(context.Background(), oauth.TokenOptions{ForceRefresh: true})
	var e *oauth.Error
	if !errors.As(err, &e) || e.ProviderCode != "use_dpop_nonce" || f.s.UseDPoPNonceAnswers()-n != 2 {
		t.Fatalf("stubborn nonce: %v after %d answers, want use_dpop_nonce after 2", err, f.s.UseDPoPNonceAnswers()-n)
	}
	if _, rt, _ := stored(t, d); rt == "" {
		t.Fatal("a refused proof removed the session")
	}
}

// NewStubbornNonce makes the provider rotate its nonce before every
// check, so that no proof ever carries the current one; it returns the
// function that stops it.
func NewStubbornNonce(f *fixture) func() {
	h := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.s.RotateDPoPNonce()
		h.ServeHTTP(w, r)
	})
	return func() { f.srv.Config.Handler = h }
}

func TestDPoPClockOffset(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.EnableDPoP(true, false)
	skewed := func() time.Time { return f.clock().Add(-5 * time.Minute) }
	d := newDPoPClient(t, f, oauth.DPoPRequired, skewed)
	f.now = time.Now() // the server's Date header is the real clock
	if err := d.login(t, f); err != nil {
		t.Fatalf("login with a clock 5 minutes slow: %v", err)
	}
	if s := d.callMe(t, f); s != 200 {
		t.Fatalf("/api/me: %d", s)
	}
}

// proofFor builds a proof with k for method and htu, then lets change
// alter it before signing.
func proofFor(t *testing.T, k *ecdsa.PrivateKey, method, htu, token string, change func(h, c map[string]any)) string {
	t.Helper()
	pub, _ := k.PublicKey.Bytes()
	claims := jwt.MapClaims{"jti": randomID(8), "htm": method, "htu": htu, "iat": time.Now().Unix()}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["typ"] = "dpop+jwt"
	tok.Header["jwk"] = map[string]any{"kty": "EC", "crv": "P-256",
		"x": base64.RawURLEncoding.EncodeToString(pub[1:33]), "y": base64.RawURLEncoding.EncodeToString(pub[33:65])}
	if change != nil {
		change(tok.Header, claims)
	}
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDPoPChecks breaks each of the provider's checks once.
func TestDPoPChecks(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.EnableDPoP(true, false)
	f.now = time.Now()
	d := newDPoPClient(t, f, oauth.DPoPRequired, f.clock)
	if err := d.login(t, f); err != nil {
		t.Fatal(err)
	}
	at, rt, jkt := stored(t, d)
	kk, _ := d.keys.Load(context.Background(), jkt)
	key := kk.(*oauthjwt.DPoPKey).Private
	other, _ := oauthjwt.NewDPoPKeys().New(context.Background())
	me := f.srv.URL + "/api/me"
	call := func(scheme, proof string) *http.Response {
		req, _ := http.NewRequest("GET", me, nil)
		req.Header.Set("Authorization", scheme+" "+at)
		if proof != "" {
			req.Header.Set("DPoP", proof)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := call("DPoP", proofFor(t, key, "GET", me, at, nil)); r.StatusCode != 200 {
		t.Fatalf("a good proof: %d %s", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
	replayed := proofFor(t, key, "GET", me, at, nil)
	call("DPoP", replayed)
	for name, proof := range map[string]string{
		"no proof":       "",
		"signature":      proofFor(t, key, "GET", me, at, nil)[:len(replayed)-4] + "AAAA",
		"htm":            proofFor(t, key, "POST", me, at, nil),
		"htu":            proofFor(t, key, "GET", f.srv.URL+"/api/other", at, nil),
		"iat":            proofFor(t, key, "GET", me, at, func(_, c map[string]any) { c["iat"] = time.Now().Add(-5 * time.Minute).Unix() }),
		"jti replay":     replayed,
		"ath":            proofFor(t, key, "GET", me, "another token", nil),
		"typ":            proofFor(t, key, "GET", me, at, func(h, _ map[string]any) { h["typ"] = "JWT" }),
		"another key":    proofFor(t, other.(*oauthjwt.DPoPKey).Private, "GET", me, at, nil),
		"private in jwk": proofFor(t, key, "GET", me, at, func(h, _ map[string]any) { h["jwk"].(map[string]any)["d"] = "AAAA" }),
	} {
		if r := call("DPoP", proof); r.StatusCode != 401 || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "DPoP ") {
			t.Errorf("%s: %d %q, want 401 with a DPoP challenge", name, r.StatusCode, r.Header.Get("WWW-Authenticate"))
		}
	}
	if r := call("Bearer", proofFor(t, key, "GET", me, at, nil)); r.StatusCode != 401 {
		t.Errorf("the bound token as a Bearer token: %d", r.StatusCode)
	}
	tokenURL := f.srv.URL + "/oauth2/token"
	wantTokenError(t, f.token(t, refreshForm(rt)), 400, "invalid_grant")
	wantTokenError(t, f.token(t, refreshForm(rt), "DPoP", proofFor(t, other.(*oauthjwt.DPoPKey).Private, "POST", tokenURL, "", nil)), 400, "invalid_grant")
	if r := f.token(t, refreshForm(rt), "DPoP", proofFor(t, key, "POST", tokenURL, "", nil)); r.status != 200 || r.body["token_type"] != "DPoP" {
		t.Fatalf("refresh with the key: %d %v", r.status, r.body)
	}
	// A code bound by dpop_jkt is refused with a proof of another key.
	q := authQuery()
	q.Set("dpop_jkt", jkt)
	code := f.code(t, q, "bob")
	wantTokenError(t, f.token(t, exchangeForm(code, verifier), "DPoP", proofFor(t, other.(*oauthjwt.DPoPKey).Private, "POST", tokenURL, "", nil)), 400, "invalid_grant")
}
