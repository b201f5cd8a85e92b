package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"regexp"
	"testing"
)

// testSHA256 is Options.SHA256 over crypto/sha256 (oauthhttp.SHA256, which
// these internal tests cannot import).
func testSHA256(_ context.Context, b []byte) ([32]byte, error) { return sha256.Sum256(b), nil }

// RFC 7636 Appendix B.
func TestS256ChallengeRFC7636AppendixB(t *testing.T) {
	got, err := S256Challenge(context.Background(), testSHA256, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
	if want := "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; got != want || err != nil {
		t.Fatalf("S256Challenge = %q, %v, want %q", got, err, want)
	}
}

// The hash and the random source are the host's: without them there is
// no client, and a failing hash stores no login.
func TestCryptoIsInjected(t *testing.T) {
	cfg := testConfig("https://idp.example.com/token")
	if _, err := NewClient(cfg, Options{Transport: &stubTransport{}, SHA256: testSHA256}); code(err) != CodeInvalidConfig {
		t.Fatalf("no Rand: %v", err)
	}
	if _, err := NewClient(cfg, Options{Transport: &stubTransport{}, Rand: rand.Reader}); code(err) != CodeInvalidConfig {
		t.Fatalf("no SHA256: %v", err)
	}
	logins := NewMemoryStorage()
	broken := func(context.Context, []byte) ([32]byte, error) { return [32]byte{}, errors.New("digest refused") }
	c, err := NewClient(cfg, Options{Transport: &stubTransport{}, Rand: rand.Reader, SHA256: broken, LoginStorage: logins})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartLogin("/"); err == nil {
		t.Fatal("StartLogin succeeded without a challenge")
	}
	if keys, _ := logins.Keys(""); len(keys) != 0 {
		t.Fatalf("a login was stored without a challenge: %v", keys)
	}
}

func TestGenerateVerifierShapeAndUniqueness(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		v, err := GenerateVerifier(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != 43 || !re.MatchString(v) || !ValidVerifier(v) {
			t.Fatalf("verifier %q has the wrong shape", v)
		}
		if seen[v] {
			t.Fatalf("verifier %q generated twice", v)
		}
		seen[v] = true
	}
}

func TestValidVerifier(t *testing.T) {
	for v, want := range map[string]bool{
		"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk": true,
		"short": false,
		"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX":         false, // 42
		"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX!":        false,
		"dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk":        false,
		string(make([]byte, 129)):                            false,
		"~~~~~~~~~~.........._________----------AAAAAaaaaa1": true,
	} {
		if got := ValidVerifier(v); got != want {
			t.Errorf("ValidVerifier(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestGenerateVerifierFailingRandom(t *testing.T) {
	if _, err := GenerateVerifier(failReader{}); err == nil {
		t.Fatal("no error from a failing random source")
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errFail }

var errFail = &Error{Code: "test"}
