package oauth

import (
	"crypto/rand"
	"regexp"
	"testing"
)

// RFC 7636 Appendix B.
func TestS256ChallengeRFC7636AppendixB(t *testing.T) {
	got := S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
	if want := "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; got != want {
		t.Fatalf("S256Challenge = %q, want %q", got, want)
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
