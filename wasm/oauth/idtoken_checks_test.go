package oauth

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// Each claim check at login refuses what it must and accepts what is
// within the leeway: removing or loosening any one fails a row.
func TestLoginClaimChecks(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Leeway: DefaultClockLeeway}
	at := func(d time.Duration) Number { return jsonNum(now.Add(d).Unix()) }
	for _, tc := range []struct {
		name  string
		extra map[string]any
		check string
	}{
		{"valid", nil, ""},
		{"nonce missing", map[string]any{"nonce": nil}, CheckNonce},
		{"nonce not a string", map[string]any{"nonce": []any{"n"}}, CheckNonce},
		{"expired within the leeway", map[string]any{"exp": at(-time.Minute)}, ""},
		{"expired beyond the leeway", map[string]any{"exp": at(-DefaultClockLeeway - time.Second)}, CheckExp},
		{"exp with a fraction", map[string]any{"exp": at(time.Hour) + ".25"}, ""},
		{"exp with a fraction, expired", map[string]any{"exp": at(-DefaultClockLeeway-2*time.Second) + ".999999999"}, CheckExp},
		{"exp beyond 1e11", map[string]any{"exp": Number("100000000000.5")}, CheckExp},
		{"exp an exponent beyond 1e11", map[string]any{"exp": Number("1e12")}, CheckExp},
		{"exp a string", map[string]any{"exp": "9999999999"}, CheckExp},
		{"exp missing", map[string]any{"exp": nil}, CheckExp},
		{"iat a string", map[string]any{"iat": "1800000000"}, CheckIat},
		{"iat in the future within the leeway", map[string]any{"iat": at(time.Minute)}, ""},
		{"iat in the future", map[string]any{"iat": at(DefaultClockLeeway + time.Second)}, CheckIat},
		{"nbf within the leeway", map[string]any{"nbf": at(time.Minute)}, ""},
		{"nbf in the future", map[string]any{"nbf": at(DefaultClockLeeway + time.Second)}, CheckNbf},
		{"nbf a string", map[string]any{"nbf": "0"}, CheckNbf},
		{"aud with a non-string", map[string]any{"aud": []any{"client-1", Number("5")}}, CheckAud},
		{"aud empty", map[string]any{"aud": []any{}}, CheckAud},
		{"aud array with the client", map[string]any{"aud": []any{"client-1"}}, ""},
		{"sub empty", map[string]any{"sub": ""}, CheckSub},
		{"sub an object", map[string]any{"sub": map[string]any{"id": "u"}}, CheckSub},
		{"iss an array", map[string]any{"iss": []any{"https://idp.example.com"}}, CheckIss},
		{"iss with a trailing slash", map[string]any{"iss": "https://idp.example.com/"}, CheckIss},
	} {
		c := map[string]any{"iss": "https://idp.example.com", "sub": "u", "aud": "client-1",
			"iat": jsonNum(now.Unix()), "exp": jsonNum(now.Unix() + 3600), "nonce": "n"}
		for k, val := range tc.extra {
			if val == nil {
				delete(c, k)
			} else {
				c[k] = val
			}
		}
		err := v.CheckClaims(c, IDTokenExpect{Nonce: "n"}, now)
		if FailedCheck(err) != tc.check || (err == nil) != (tc.check == "") {
			t.Errorf("%s: err = %v, want check %q", tc.name, err, tc.check)
		}
	}
}

// A key that names its alg verifies that alg only (RFC 7517 §4.4): an RS256
// key is not used for a PS256 token, nor an ES256 key for ES384.
func TestKeyAlgBindsTheToken(t *testing.T) {
	rs := JWK{Kty: "RSA", Alg: "RS256"}
	if !rs.Fits("RS256") || rs.Fits("PS256") || rs.Fits("RS512") {
		t.Error("an RS256 key fits another RSA algorithm")
	}
	if (&JWK{Kty: "RSA"}).Fits("PS256") != true {
		t.Error("a key without alg fits every algorithm of its kty")
	}
	if (&JWK{Kty: "EC", Crv: "P-256", Alg: "ES256"}).Fits("ES384") || (&JWK{Kty: "EC", Crv: "P-384"}).Fits("ES256") {
		t.Error("an EC key fits another curve's algorithm")
	}
}

// oldCachedDoc is a cachedDoc as encoding/json writes it: the stored
// format, which a tab's session storage may hold from any release.
type oldCachedDoc struct {
	V       int             `json:"v"`
	Fetched int64           `json:"fetched"`
	Forced  int64           `json:"forced,omitempty"`
	Body    json.RawMessage `json:"body"`
}

// The tab's cached discovery document is checked again when read: a copy
// naming another issuer, one too old, or one dated in the future is not
// used, and the document is fetched.
func TestCachedDiscoveryIsRevalidated(t *testing.T) {
	good := `{"issuer":"https://idp.example.com","authorization_endpoint":"https://idp.example.com/authorize","token_endpoint":"https://idp.example.com/token"}`
	evil := strings.ReplaceAll(good, "idp.example.com", "evil.example")
	clock := newClock()
	now := clock.Now()
	for _, tc := range []struct {
		name    string
		body    string
		fetched time.Time
		fetch   bool
	}{
		{"fresh and valid", good, now.Add(-time.Minute), false},
		{"another issuer", evil, now.Add(-time.Minute), true},
		{"too old", good, now.Add(-DiscoveryMaxAge), true},
		{"from the future", good, now.Add(time.Minute), true},
	} {
		calls := 0
		tr := TransportFunc(func(context.Context, *Request) (*Response, error) {
			calls++
			return &Response{Status: 200, Header: func(string) string { return "" }, Body: io.NopCloser(strings.NewReader(good))}, nil
		})
		cache := NewMemoryStorage()
		d := newDiscovery("https://idp.example.com"+WellKnownPath, "https://idp.example.com", tr, cache, clock.Now, time.Second)
		raw, _ := json.Marshal(oldCachedDoc{V: 1, Fetched: tc.fetched.UnixMilli(), Body: json.RawMessage(tc.body)})
		cache.Set(d.cacheKey(), string(raw))
		v, err := d.get(context.Background(), false)
		if err != nil || v.(*ProviderMetadata).Issuer != "https://idp.example.com" || (calls == 1) != tc.fetch {
			t.Errorf("%s: %+v %v after %d fetches", tc.name, v, err, calls)
		}
	}
}

// On refresh, a nonce may appear only if it is the original one (§12.2):
// an original ID token without a nonce admits none.
func TestRefreshNonceWhereTheOriginalHadNone(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Leeway: DefaultClockLeeway}
	c := func(nonce any) map[string]any {
		m := map[string]any{"iss": "https://idp.example.com", "sub": "u", "aud": "client-1",
			"iat": jsonNum(now.Unix()), "exp": jsonNum(now.Unix() + 3600)}
		if nonce != nil {
			m["nonce"] = nonce
		}
		return m
	}
	if err := v.CheckClaims(c("forged"), IDTokenExpect{Previous: c(nil)}, now); FailedCheck(err) != CheckNonce {
		t.Fatalf("a nonce appeared on refresh: %v", err)
	}
	if err := v.CheckClaims(c(nil), IDTokenExpect{Previous: c(nil)}, now); err != nil {
		t.Fatal(err)
	}
}

// The provider's id_token_signing_alg_values_supported narrows the
// algorithms; a list with none gopkce supports (HS256 only) refuses all.
func TestProviderAlgorithmsNarrow(t *testing.T) {
	c := &Client{}
	for _, tc := range []struct {
		listed []string
		ok     bool
	}{{nil, true}, {[]string{"RS256"}, true}, {[]string{"ES256"}, false}, {[]string{"HS256", "none"}, false}} {
		p := c.withDiscovery(&ProviderMetadata{Issuer: "https://idp.example.com", IDTokenAlgorithms: tc.listed})
		v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Algorithms: p.algorithms,
			Leeway: DefaultClockLeeway, Keys: StaticKeys{testKeys()}, Signatures: rsaVerifier{}, Now: newClock().Now}
		_, err := v.Verify(context.Background(), idToken(t, map[string]any{"aud": "client-1"}), IDTokenExpect{})
		if (err == nil) != tc.ok || err != nil && FailedCheck(err) != CheckAlg {
			t.Errorf("provider lists %v: err = %v, want ok=%v", tc.listed, err, tc.ok)
		}
	}
}

// Two keys with the token's kid: refused, never the first one tried.
func TestDuplicateKidRefused(t *testing.T) {
	ks := testKeys()
	ks.Keys = append(ks.Keys, ks.Keys[0])
	ks.Keys[1].N = ks.Keys[1].N[:len(ks.Keys[1].N)-2] + "AA"
	if k, err := ks.selectKey("RS256", "test-key"); k != nil || err == nil {
		t.Fatalf("duplicate kid: key %v, err %v", k, err)
	}
}

// A login started for one issuer is not completed for another: here the
// issuer is adopted from a discoveryUrl document, which names another
// issuer by the time of the callback. Nothing is exchanged.
func TestCallbackForAnotherIssuerRefused(t *testing.T) {
	const docURL = "https://idp.example.com/tenant/v2.0" + WellKnownPath
	doc := func(iss string) string {
		return `{"issuer":"` + iss + `","authorization_endpoint":"https://idp.example.com/authorize","token_endpoint":"https://idp.example.com/token"}`
	}
	issuer, exchanges := "https://idp.example.com/a", 0
	tr := TransportFunc(func(_ context.Context, r *Request) (*Response, error) {
		body := `{"access_token":"a","token_type":"Bearer"}`
		if r.URL == docURL {
			body = doc(issuer)
		} else {
			exchanges++
		}
		return &Response{Status: 200, Header: func(string) string { return "application/json" }, Body: io.NopCloser(strings.NewReader(body))}, nil
	})
	logins := NewMemoryStorage()
	client := func() *Client {
		c, err := NewClient(Config{DiscoveryURL: docURL, ClientID: "client-1", RedirectURI: "https://app.example.com/callback"},
			Options{Transport: tr, Rand: &seqReader{}, SHA256: testSHA256, LoginStorage: logins})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	u, err := client().StartLogin("/")
	if err != nil {
		t.Fatal(err)
	}
	state := u[strings.Index(u, "state=")+6:]
	state = state[:strings.IndexByte(state+"&", '&')]
	keys, _ := logins.Keys("gopkce:discovery:")
	for _, k := range keys {
		logins.Remove(k) // the cached document expired
	}
	issuer = "https://idp.example.com/b"
	_, err = client().HandleCallback(context.Background(), "https://app.example.com/callback?code=c&state="+state)
	if code(err) != CodeInvalidLoginState || exchanges != 0 || len(keys) != 1 {
		t.Fatalf("err = %v after %d token requests (%d cached documents)", err, exchanges, len(keys))
	}
}

// A discovery document or key set over 256 KiB is refused, not parsed.
func TestDocumentSizeCap(t *testing.T) {
	head, tail := `{"keys":[],"pad":"`, `"}`
	big := head + strings.Repeat("a", maxDocumentBytes+1-len(head)-len(tail)) + tail // valid JSON, one byte over
	tr := TransportFunc(func(context.Context, *Request) (*Response, error) {
		return &Response{Status: 200, Header: func(string) string { return "" }, Body: io.NopCloser(strings.NewReader(big))}, nil
	})
	_, err := NewRemoteKeys("https://idp.example.com/keys", tr, nil, nil, time.Second).KeySet(context.Background(), false)
	if code(err) != CodeInvalidDiscovery {
		t.Fatalf("oversized key set: %v", err)
	}
}

// A key source with no set (StaticKeys's zero value) refuses the token
// naming the kid check; it does not panic.
func TestNoKeySetRefusesWithoutPanic(t *testing.T) {
	v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Leeway: DefaultClockLeeway,
		Keys: StaticKeys{}, Signatures: rsaVerifier{}, Now: newClock().Now}
	if _, err := v.Verify(context.Background(), idToken(t, nil), IDTokenExpect{}); FailedCheck(err) != CheckKid {
		t.Fatalf("err = %v", err)
	}
}

// aud on refresh is compared as a set both ways: ["c","c"] is not ["c","x"].
func TestRefreshAudIsTheSameSet(t *testing.T) {
	if sameSet([]string{"client-1", "client-1"}, []string{"client-1", "x"}) || sameSet([]string{"client-1", "x"}, []string{"client-1", "client-1"}) {
		t.Fatal("different audiences compared equal")
	}
	if !sameSet([]string{"x", "client-1"}, []string{"client-1", "x"}) {
		t.Fatal("order matters")
	}
}
