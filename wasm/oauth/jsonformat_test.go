package oauth

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The stored records (token set, login state, cached documents) are in
// encoding/json's format, so that a user who upgrades keeps the session:
// what encoding/json writes for the record types, the decoders read to the
// same values, and the encoders write the same bytes (encoding/json's
// member order and omitempty, with SetEscapeHTML(false)).

// stdEncode is encoding/json's Encoder without HTML escaping or newline.
func stdEncode(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// oldPendingLogin is pendingLogin as encoding/json saw it.
type oldPendingLogin struct {
	V           int    `json:"v"`
	Verifier    string `json:"verifier"`
	Nonce       string `json:"nonce,omitempty"`
	Issuer      string `json:"issuer"`
	ClientID    string `json:"client_id"`
	RedirectURI string `json:"redirect_uri"`
	ReturnTo    string `json:"return_to"`
	Created     int64  `json:"created"`
	JKT         string `json:"jkt,omitempty"`
	MaxAge      *int64 `json:"max_age,omitempty"`
	ACR         string `json:"acr,omitempty"`
}

func checkTokenSetFormat(t *testing.T, ts TokenSet) {
	t.Helper()
	if got, want := encodeTokens(&ts), stdEncode(t, &ts); !bytes.Equal(got, want) {
		t.Fatalf("encodeTokens = %s\nencoding/json wrote %s", got, want)
	}
	// Records written with SetEscapeHTML(false) and with json.Marshal
	// (HTML-escaped) read the same.
	for _, old := range [][]byte{stdEncode(t, &ts), must(json.Marshal(&ts))} {
		var want TokenSet
		if err := json.Unmarshal(old, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := decodeTokens(string(old))
		if !ok || !reflect.DeepEqual(*got, want) {
			t.Fatalf("old record %s read as %+v (%v), encoding/json read %+v", old, got, ok, want)
		}
	}
}

func checkPendingFormat(t *testing.T, p pendingLogin) {
	t.Helper()
	old := oldPendingLogin(p)
	if got, want := p.encode(), stdEncode(t, &old); !bytes.Equal(got, want) {
		t.Fatalf("pendingLogin.encode = %s\nencoding/json wrote %s", got, want)
	}
	written := must(json.Marshal(&old)) // how StartLogin wrote it
	var want oldPendingLogin
	if err := json.Unmarshal(written, &want); err != nil {
		t.Fatal(err)
	}
	got, ok := decodePending(string(written))
	if !ok || !reflect.DeepEqual(oldPendingLogin(*got), want) {
		t.Fatalf("old login state %s read as %+v (%v), encoding/json read %+v", written, got, ok, want)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestStoredTokenSetFormat(t *testing.T) {
	checkTokenSetFormat(t, TokenSet{V: 1, AccessToken: "a", TokenType: "Bearer", ExpiresAt: 1, LoginAt: 2})
	checkTokenSetFormat(t, TokenSet{V: 1, AccessToken: "eyJ<&>\u2028\"\\\x01é", TokenType: "Bearer", IDToken: "i.d.t",
		RefreshToken: "r", Scope: "openid email", HandlerHeld: true, ExpiresAt: 1_800_000_000_000, LoginAt: -5, Lifetime: 3_600_000})
	// A record in encoding/json's format, as a literal: members in any order, an
	// unknown member, null for an absent one, HTML escapes.
	old := `{"login_at":7,"v":1,"access_token":"\u003ca\u003e","token_type":"Bearer","refresh_token":null,"future":{"x":[1]},"expires_at":9007199254740993}`
	ts, ok := decodeTokens(old)
	if !ok || *ts != (TokenSet{V: 1, AccessToken: "<a>", TokenType: "Bearer", ExpiresAt: 9007199254740993, LoginAt: 7}) {
		t.Fatalf("old record read as %+v %v", ts, ok)
	}
	// Wrong types are unreadable, as for encoding/json (the session is removed).
	for _, bad := range []string{`{"v":"1","access_token":"a","expires_at":1}`, `{"v":1,"access_token":"a","expires_at":1.5}`,
		`{"v":1,"access_token":1,"expires_at":1}`, `{"v":1,"access_token":"a","expires_at":1,"handler_held":"true"}`, `[]`, `{"v":1} x`} {
		if ts, ok := decodeTokens(bad); ok {
			t.Errorf("%s read as %+v", bad, ts)
		}
	}
}

func TestStoredLoginStateFormat(t *testing.T) {
	checkPendingFormat(t, pendingLogin{V: 1, Verifier: strings.Repeat("v", 43), Issuer: "https://idp.example", ClientID: "c",
		RedirectURI: "https://app.example/cb?a=1&b=<2>", ReturnTo: "/x?y=1&z=2", Created: 1_800_000_000_000})
	checkPendingFormat(t, pendingLogin{V: 1, Verifier: "v", Nonce: "n", Created: 1})
	for _, age := range []int64{0, 600} {
		checkPendingFormat(t, pendingLogin{V: 1, Verifier: "v", Nonce: "n", Created: 1, MaxAge: &age, ACR: "urn:mfa urn:pwd"})
	}
	// Unknown or differently spelled members are refused, as
	// DisallowUnknownFields did for unknown ones.
	for _, bad := range []string{`{"v":1,"verifier":"v","x":1}`, `{"v":1,"Verifier":"v"}`, `{"v":1,"created":"1"}`, `{"v":1}{}`} {
		if p, ok := decodePending(bad); ok {
			t.Errorf("%s read as %+v", bad, p)
		}
	}
}

func TestCachedDocFormat(t *testing.T) {
	body := `{"issuer":"https://idp.example/<x>","keys":[{"n":12345678901234567890}]}`
	for _, c := range []cachedDoc{{V: 1, Fetched: 5, Body: []byte(body)}, {V: 1, Fetched: 5, Forced: time.Time{}.UnixMilli(), Body: []byte(body)}} {
		old := oldCachedDoc{V: c.V, Fetched: c.Fetched, Forced: c.Forced, Body: json.RawMessage(c.Body)}
		if got, want := c.encode(), stdEncode(t, &old); !bytes.Equal(got, want) {
			t.Errorf("cachedDoc.encode = %s\nencoding/json wrote %s", got, want)
		}
		written := must(json.Marshal(&old)) // how remoteDoc.get wrote it
		got, ok := decodeCachedDoc(string(written))
		if !ok || got.V != 1 || got.Fetched != c.Fetched || got.Forced != c.Forced {
			t.Fatalf("old cached document %s read as %+v %v", written, got, ok)
		}
		var x, y any
		if json.Unmarshal(got.Body, &x) != nil || json.Unmarshal(c.Body, &y) != nil || !reflect.DeepEqual(x, y) {
			t.Errorf("body %s read back as %s", c.Body, got.Body)
		}
	}
}

// FuzzStoredRecords: any token set and login state the code can store is
// written as encoding/json wrote it, and what encoding/json wrote is read
// as encoding/json read it.
func FuzzStoredRecords(f *testing.F) {
	f.Add("a", "Bearer", "", "r", "openid", "v", "<&>\u2028", false, int64(1), int64(0), int64(0))
	f.Add("\xff\x00\"\\", "", "i", "", "", "", "/cb", true, int64(-1), int64(9007199254740993), int64(1<<62))
	f.Fuzz(func(t *testing.T, access, typ, id, refresh, scope, verifier, returnTo string, held bool, exp, login, life int64) {
		checkTokenSetFormat(t, TokenSet{V: 1, AccessToken: access, TokenType: typ, IDToken: id, RefreshToken: refresh,
			Scope: scope, HandlerHeld: held, ExpiresAt: exp, LoginAt: login, Lifetime: life})
		checkPendingFormat(t, pendingLogin{V: int(life), Verifier: verifier, Nonce: id, Issuer: scope, ClientID: typ,
			RedirectURI: refresh, ReturnTo: returnTo, Created: exp})
	})
}

// A native program that hands decoded claims on with encoding/json (a Go
// server using the core with oauthhttp) gets the JSON numbers it got when
// the claims held json.Number: "exp":1700000000, not "exp":"1700000000".
func TestClaimsMarshalWithEncodingJSON(t *testing.T) {
	tok := idToken(t, map[string]any{"auth_time": json.Number("1.5e9"), "big": json.Number("12345678901234567890"), "n": json.Number("-0")})
	claims, err := DecodeClaimsUnverified(tok)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(must(decodeB64URL(strings.Split(tok, ".")[1])))))
	dec.UseNumber()
	var old map[string]any
	if err := dec.Decode(&old); err != nil {
		t.Fatal(err)
	}
	if want := must(json.Marshal(old)); string(got) != string(want) {
		t.Fatalf("json.Marshal(claims) = %s\nwith json.Number it was %s", got, want)
	}
	if _, err := json.Marshal(map[string]any{"bad": Number("1e")}); err == nil {
		t.Fatal("a Number that is not a JSON number was encoded")
	}
}
