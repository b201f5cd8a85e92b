package devidp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gopkce/gopkce/wasm/oauth"
	"github.com/gopkce/gopkce/wasm/oauth/oauthhttp"
	"github.com/gopkce/gopkce/wasm/oauth/oauthjwt"
)

// idTokens plays one case of the table against the provider and returns
// the ID tokens a client receives: the login's, and the refresh's for a
// refresh case. keys was prefetched before the login, as startLogin does.
type played struct {
	login, refreshed string
	keys             *oauth.RemoteKeys
	jwksBefore       int
}

func (f *fixture) play(t *testing.T, c IDTokenCase) played {
	t.Helper()
	var p played
	if !c.Refresh {
		if err := f.s.SetIDTokenCase(c.Name); err != nil {
			t.Fatal(err)
		}
	}
	p.keys = oauth.NewRemoteKeys(f.srv.URL+"/.well-known/jwks.json", oauthhttp.New(nil), nil, f.clock, 0)
	if _, err := p.keys.KeySet(context.Background(), false); err != nil { // startLogin's prefetch
		t.Fatal(err)
	}
	code := f.code(t, authQuery(), "alice")
	r := f.token(t, exchangeForm(code, verifier))
	p.login, _ = r.body["id_token"].(string)
	if p.login == "" {
		t.Fatalf("no ID token: %v", r.body)
	}
	if c.Refresh {
		if err := f.s.SetIDTokenCase(c.Name); err != nil {
			t.Fatal(err)
		}
		rt, _ := r.body["refresh_token"].(string)
		r = f.token(t, refreshForm(rt))
		if p.refreshed, _ = r.body["id_token"].(string); p.refreshed == "" {
			t.Fatalf("no ID token on refresh: %v", r.body)
		}
	}
	return p
}

func (f *fixture) verifier(keys oauth.KeySource) *oauth.IDTokenVerifier {
	return &oauth.IDTokenVerifier{
		Issuer: f.s.Issuer(), ClientID: "spa", Leeway: oauth.DefaultClockLeeway,
		Keys: keys, Signatures: oauthjwt.Verifier{}, Now: f.clock,
	}
}

// coreVerify runs the core with the native (golang-jwt) signature verifier.
func (f *fixture) coreVerify(p played) (map[string]any, error) {
	v := f.verifier(p.keys)
	ctx := context.Background()
	claims, err := v.Verify(ctx, p.login, oauth.IDTokenExpect{Nonce: "n-1"})
	if err != nil || p.refreshed == "" {
		return claims, err
	}
	return v.Verify(ctx, p.refreshed, oauth.IDTokenExpect{Previous: claims})
}

// TestIDTokenCasesNative runs the case table with the core and the native
// verifier: each case is accepted, or refused naming its check.
func TestIDTokenCasesNative(t *testing.T) {
	for _, c := range IDTokenCases {
		t.Run(c.Name, func(t *testing.T) {
			f := newFixture(t, Cognito)
			if c.WantCode == oauth.CodeInvalidDiscovery {
				f.s.SetIDTokenCase(c.Name)
				body := f.get(t, "/.well-known/openid-configuration")
				_, err := oauth.ParseDiscovery(body, f.s.Issuer())
				var e *oauth.Error
				if !errors.As(err, &e) || e.Code != c.WantCode || e.Field != c.WantCheck {
					t.Fatalf("discovery: got %v, want %s naming %s", err, c.WantCode, c.WantCheck)
				}
				return
			}
			p := f.play(t, c)
			before := f.s.KeySetRequests()
			_, err := f.coreVerify(p)
			wantOutcome(t, err, c)
			if c.Name == "unknown_kid_rotation" && f.s.KeySetRequests()-before != 1 {
				t.Errorf("unknown kid: %d key-set fetches after the prefetch, want exactly 1", f.s.KeySetRequests()-before)
			}
		})
	}
}

func wantOutcome(t *testing.T, err error, c IDTokenCase) {
	t.Helper()
	if c.WantCode == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		return
	}
	var e *oauth.Error
	check := oauth.FailedCheck(err)
	if errors.As(err, &e) && e.Code == oauth.CodeInvalidDiscovery {
		check = e.Field
	}
	if e == nil || e.Code != c.WantCode || check != c.WantCheck {
		t.Fatalf("got %v (check %q), want %s naming check %q", err, check, c.WantCode, c.WantCheck)
	}
}

func (f *fixture) get(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := http.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// oidcClaims are the claims jwt/v5 validates, plus the OpenID Connect
// checks it has no option for, written here independently of the core:
// sub, iat presence, azp, nonce (§3.1.3.7) and continuity (§12.2). jwt/v5
// calls Validate after its own checks.
type oidcClaims struct {
	jwt.RegisteredClaims
	Azp      *string      `json:"azp"`
	Nonce    *string      `json:"nonce"`
	AuthTime *json.Number `json:"auth_time"`
	want     string
	prev     *oidcClaims
}

func (c *oidcClaims) Validate() error {
	switch {
	case c.Subject == "":
		return errors.New("no sub")
	case c.IssuedAt == nil:
		return errors.New("no iat")
	case len(c.Audience) > 1 && c.Azp == nil:
		return errors.New("several audiences and no azp")
	case c.Azp != nil && *c.Azp != "spa":
		return errors.New("azp is not the client")
	}
	if p := c.prev; p != nil {
		pa, na := slices.Sorted(slices.Values(p.Audience)), slices.Sorted(slices.Values(c.Audience))
		switch {
		case c.Subject != p.Subject:
			return errors.New("sub changed")
		case !slices.Equal(pa, na):
			return errors.New("aud changed")
		case (c.Azp == nil) != (p.Azp == nil) || c.Azp != nil && *c.Azp != *p.Azp:
			return errors.New("azp changed")
		case c.Nonce != nil && (p.Nonce == nil || *c.Nonce != *p.Nonce):
			return errors.New("nonce changed")
		case c.AuthTime != nil && p.AuthTime != nil && *c.AuthTime != *p.AuthTime:
			return errors.New("auth_time changed")
		}
		return nil
	}
	if c.Nonce == nil || *c.Nonce != c.want {
		return errors.New("nonce is not the login's")
	}
	return nil
}

// jwtKeyfunc selects the key from the provider's set for jwt/v5, by the
// documented rule written again here: the key with the token's kid (the
// set fetched once more when it is unknown), or without a kid the only key
// that fits; keys for encryption or of unknown types are skipped.
func (f *fixture) jwtKeyfunc(t *testing.T) jwt.Keyfunc {
	return func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		kty := map[string]string{"RS256": "RSA", "PS256": "RSA", "ES256": "EC", "EdDSA": "OKP"}[tok.Method.Alg()]
		for range 2 {
			var set struct{ Keys []oauth.JWK }
			if err := json.Unmarshal(f.get(t, "/.well-known/jwks.json"), &set); err != nil {
				return nil, err
			}
			var found []oauth.JWK
			for _, k := range set.Keys {
				if k.Use == "enc" || k.Kty != kty || (k.Alg != "" && k.Alg != tok.Method.Alg()) || (kid != "" && k.Kid != kid) {
					continue
				}
				found = append(found, k)
			}
			switch {
			case len(found) == 1:
				return oauthjwt.PublicKey(&found[0])
			case len(found) > 1:
				return nil, errors.New("no kid and several keys")
			}
		}
		return nil, errors.New("no key")
	}
}

// TestDifferentialJWT checks the core's accept/refuse decision against
// golang-jwt/jwt/v5's own validation on the whole case table.
func TestDifferentialJWT(t *testing.T) {
	for _, c := range IDTokenCases {
		if c.WantCode == oauth.CodeInvalidDiscovery {
			continue // jwt/v5 has no discovery; TestIDTokenCasesNative covers it
		}
		t.Run(c.Name, func(t *testing.T) {
			f := newFixture(t, Cognito)
			p := f.play(t, c)
			_, coreErr := f.coreVerify(p)
			parser := jwt.NewParser(
				jwt.WithValidMethods(oauth.SupportedAlgorithms), jwt.WithIssuer(f.s.Issuer()), jwt.WithAudience("spa"),
				jwt.WithExpirationRequired(), jwt.WithLeeway(oauth.DefaultClockLeeway), jwt.WithIssuedAt(),
				jwt.WithTimeFunc(f.clock))
			login := &oidcClaims{want: "n-1"}
			_, refErr := parser.ParseWithClaims(p.login, login, f.jwtKeyfunc(t))
			if refErr == nil && p.refreshed != "" {
				_, refErr = parser.ParseWithClaims(p.refreshed, &oidcClaims{prev: login}, f.jwtKeyfunc(t))
			}
			if (coreErr == nil) != (refErr == nil) {
				t.Fatalf("core: %v; jwt/v5: %v", coreErr, refErr)
			}
			if (coreErr == nil) != (c.WantCode == "") {
				t.Fatalf("both decided %v, the table says %q", coreErr, c.WantCode)
			}
			t.Logf("core: %v; jwt/v5: %v", coreErr, refErr)
		})
	}
}

var _ = time.Second

// TestIDTokenCasesClient plays the table through the whole client (the
// core with net/http and the golang-jwt verifier), configured by discovery
// alone: a refused callback stores nothing, a refused refresh ends the
// session with login_required, a discovery document naming another issuer
// stops the login before any redirect.
func TestIDTokenCasesClient(t *testing.T) {
	for _, c := range IDTokenCases {
		t.Run(c.Name, func(t *testing.T) {
			f := newFixture(t, Cognito)
			tokens := oauth.NewMemoryStorage()
			cl, err := oauth.NewClient(oauth.Config{
				Issuer: f.s.Issuer(), ClientID: "spa", RedirectURI: redirect, Scope: "openid email",
			}, oauthhttp.Defaults(oauth.Options{
				Signatures: oauthjwt.Verifier{}, Now: f.clock, TokenStorage: tokens,
			}))
			if err != nil {
				t.Fatal(err)
			}
			if !c.Refresh {
				f.s.SetIDTokenCase(c.Name)
			}
			docs, sets := f.s.DiscoveryRequests(), f.s.KeySetRequests()
			u, err := cl.StartLogin("/")
			if c.WantCode == oauth.CodeInvalidDiscovery {
				wantOutcome(t, err, c)
				if u != "" || f.s.TokenRequests("authorization_code") != 0 {
					t.Fatal("a login went ahead")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.s.DiscoveryRequests()-docs != 1 || f.s.KeySetRequests()-sets != 1 {
				t.Fatalf("startLogin fetched discovery %d times and the key set %d times, want 1 and 1",
					f.s.DiscoveryRequests()-docs, f.s.KeySetRequests()-sets)
			}
			au, _ := url.Parse(u)
			code := f.code(t, au.Query(), "alice")
			cb := redirect + "?" + url.Values{"code": {code}, "state": {au.Query().Get("state")}, "iss": {f.s.Issuer()}}.Encode()
			_, err = cl.HandleCallback(context.Background(), cb)
			if !c.Refresh {
				wantOutcome(t, err, c)
				keys, _ := tokens.Keys("")
				if (err != nil) != (len(keys) == 0) {
					t.Fatalf("after the callback (err %v) the token storage holds %v", err, keys)
				}
				wantSets := 1
				if c.Name == "unknown_kid_rotation" {
					wantSets = 2
				}
				if n := f.s.KeySetRequests() - sets; err == nil && n != wantSets {
					t.Fatalf("%d key-set fetches, want %d", n, wantSets)
				}
				if err == nil {
					claims, _ := cl.Claims()
					if claims["sub"] == nil || claims["aud"] != "spa" {
						t.Fatalf("claims after login: %v", claims)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("login before the refresh: %v", err)
			}
			f.s.SetIDTokenCase(c.Name)
			_, err = cl.Token(context.Background(), oauth.TokenOptions{ForceRefresh: true})
			if c.WantCode == "" {
				if err != nil {
					t.Fatalf("refresh refused: %v", err)
				}
				return
			}
			var e *oauth.Error
			if !errors.As(err, &e) || e.Code != oauth.CodeLoginRequired || oauth.FailedCheck(err) != c.WantCheck {
				t.Fatalf("refresh: got %v (check %q), want login_required from check %q", err, oauth.FailedCheck(err), c.WantCheck)
			}
			if keys, _ := tokens.Keys(""); len(keys) != 0 {
				t.Fatalf("session kept after a refused refresh: %v", keys)
			}
			if claims, _ := cl.Claims(); claims != nil {
				t.Fatalf("claims after a refused refresh: %v", claims)
			}
		})
	}
}

// The discovery document and the key set answer cross-origin reads from a
// registered origin; RotateKeys replaces the ID-token key and its kid.
func TestKeySetCORSAndRotation(t *testing.T) {
	f := newFixture(t, Cognito)
	kids := func() []string {
		req, _ := http.NewRequest("GET", f.srv.URL+"/.well-known/jwks.json", nil)
		req.Header.Set("Origin", "http://127.0.0.1:8080")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8080" {
			t.Fatalf("key set CORS: %q", resp.Header.Get("Access-Control-Allow-Origin"))
		}
		var set struct{ Keys []oauth.JWK }
		json.NewDecoder(resp.Body).Decode(&set)
		var out []string
		for _, k := range set.Keys {
			out = append(out, k.Kid)
		}
		return out
	}
	before := kids()
	f.s.RotateKeys()
	after := kids()
	if len(before) != 1 || len(after) != 1 || before[0] == after[0] {
		t.Fatalf("kids before %v, after rotation %v", before, after)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/.well-known/openid-configuration", nil)
	req.Header.Set("Origin", "http://127.0.0.1:8080")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8080" {
		t.Fatalf("discovery CORS: %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// A login after the rotation verifies with the new key.
	p := f.play(t, IDTokenCase{Name: "valid_rs256"})
	if _, err := f.coreVerify(p); err != nil {
		t.Fatal(err)
	}
}
