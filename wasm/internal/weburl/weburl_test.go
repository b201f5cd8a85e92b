package weburl

import (
	"errors"
	"testing"
)

// What Parse accepts that gopkce needs, and what it refuses on purpose
// (net/url accepts every one of the refusals below except where noted).
func TestParse(t *testing.T) {
	for _, s := range []string{
		"https://example.com",
		"https://auth.example.com/oauth2/authorize?p=B2C_1_signin",
		"http://localhost:8080/callback?code=abc&state=def",
		"http://[::1]:5173/cb",
		"https://tenant.b2clogin.com/tenant.onmicrosoft.com/B2C_1_signin/v2.0",
		"https://app.example/cb?q={%22a%22:1}|x^#frag",
	} {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
	for _, c := range []struct{ s, why string }{
		{"https://user:pw@example.com/", "userinfo"},
		{"https://@example.com/", "userinfo"},
		{"https://example.com\\@evil.com/", "backslash"},
		{"https://example.com/a\\b", "backslash in the path"},
		{"https://example.com/a b", "space"},
		{"https://example.com/\x7f", "control character"},
		{"https://example.com/\u00e9", "non-ASCII"},
		{"https://exa%6dple.com/", "percent-encoded host"},
		{"https://ex!ample.com/", "sub-delimiter in the host"},
		{"http://[fe80::1%25en0]/", "IPv6 zone"},
		{"https://example.com:/", "empty port"},
		{"https:example.com", "opaque"},
		{"https:/example.com", "no authority"},
		{"https:///example.com", "empty host"},
		{"//example.com/", "no scheme"},
		{"https://example.com/%zz", "bad escape (net/url refuses too)"},
		{"http://[1.2.3.4]/", "IPv4 in brackets (net/url refuses too)"},
	} {
		_, err := Parse(c.s)
		if err == nil {
			t.Errorf("Parse(%q) accepted (%s)", c.s, c.why)
		}
		if (c.why == "userinfo") != errors.Is(err, ErrUserinfo) {
			t.Errorf("Parse(%q) = %v: ErrUserinfo only for user information", c.s, err)
		}
	}
}

func TestOrigin(t *testing.T) {
	for s, want := range map[string]string{
		"HTTPS://API.Example.com:443/x": "https://api.example.com",
		"http://127.0.0.1:80":           "http://127.0.0.1",
		"http://[::1]:8080/":            "http://[::1]:8080",
		"https://example.com:8443?x#y":  "https://example.com:8443",
	} {
		u, err := Parse(s)
		if err != nil || u.Origin() != want {
			t.Errorf("Parse(%q).Origin() = %v, %v; want %q", s, u, err, want)
		}
	}
}
