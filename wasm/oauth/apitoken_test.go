package oauth

import (
	"context"
	"errors"
	"testing"
)

func TestParseAPIOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.com":       "https://api.example.com",
		"https://API.Example.com:443/":  "https://api.example.com",
		"https://api.example.com:8443":  "https://api.example.com:8443",
		"http://127.0.0.1:9000":         "http://127.0.0.1:9000",
		"http://localhost":              "http://localhost",
		"http://[::1]:8080":             "http://[::1]:8080",
		"http://api.example.com":        "",
		"https://api.example.com/v1":    "",
		"https://api.example.com?x=1":   "",
		"https://api.example.com#x":     "",
		"https://user@api.example.com":  "",
		"api.example.com":               "",
		"ftp://api.example.com":         "",
		"https://":                      "",
		"http://127.0.0.1.evil.example": "",
	} {
		got, err := ParseAPIOrigin(in)
		if want == "" {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidConfig || e.Field != "apiOrigins" {
				t.Errorf("ParseAPIOrigin(%q) = %q, %v; want invalid_config on apiOrigins", in, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseAPIOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestRequestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.com/v1/me?x=1": "https://api.example.com",
		"https://API.example.com:443/":      "https://api.example.com",
		"https://api.example.com.evil.io/":  "https://api.example.com.evil.io",
		"http://127.0.0.1:9000/api":         "http://127.0.0.1:9000",
		"https://api.example.com:444/x":     "https://api.example.com:444",
		"http://api.example.com:80/x":       "http://api.example.com",
		"http://[::1]:9000/x?y#z":           "http://[::1]:9000",
		"HTTP://[::FFFF:127.0.0.1]:80/":     "http://[::ffff:7f00:1]", // as new URL(...).origin writes it
	} {
		if got, err := requestOrigin(in); err != nil || got != want {
			t.Errorf("requestOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	// Refused: whatever a browser's Request.url never holds, user
	// information first (fetch refuses it too; "api.example.com@evil.io"
	// is evil.io).
	for _, in := range []string{
		"/relative", "javascript:alert(1)", "data:,x", "ws://api.example.com/",
		"https://api.example.com@evil.io/", "https://evil.io\\@api.example.com/", "https:api.example.com",
		"https://api.example.com/a b", "https://api.exa%6Dple.com/",
	} {
		if _, err := requestOrigin(in); err == nil {
			t.Errorf("requestOrigin(%q) accepted", in)
		}
	}
}

// APIToken gives the token to listed origins only, and after a 401
// invalid_token makes exactly one refresh.
func TestAPIToken(t *testing.T) {
	e, p, _ := loggedInWith(t, false, func(cfg *Config) {
		cfg.APIOrigins = []string{"https://api.example.com", "http://127.0.0.1:9000"}
	})
	ctx := context.Background()
	first, err := e.c.APIToken(ctx, "https://api.example.com/v1/me", "", "")
	if err != nil || first != e.stored(t).AccessToken {
		t.Fatalf("APIToken = %q, %v; want the access token", first, err)
	}
	for _, u := range []string{
		"https://api.example.com.evil.io/me", "https://evil.io/?https://api.example.com",
		"http://api.example.com/me", "https://api.example.com:8443/me", "https://app.example.com/api",
		"http://127.0.0.1:9001/", "/relative",
	} {
		tok, err := e.c.APIToken(ctx, u, "", "")
		if tok != "" || err == nil {
			t.Errorf("APIToken(%s) = %q, %v: a token for an unlisted origin", u, tok, err)
		}
	}
	if _, err := e.c.APIToken(ctx, "https://evil.io/", "", ""); code(err) != CodeOriginNotAllowed {
		t.Errorf("unlisted origin: %v, want %s", err, CodeOriginNotAllowed)
	}
	// A 401 without invalid_token stands: no refresh, no retry.
	for _, ch := range []string{`Bearer realm="api"`, `Bearer error="insufficient_scope"`, ""} {
		if tok, err := e.c.APIToken(ctx, "https://api.example.com/", first, ch); tok != "" || err != nil {
			t.Errorf("challenge %q: %q, %v; want no retry", ch, tok, err)
		}
	}
	// insufficient_user_authentication: the step-up error, no refresh.
	_, err = e.c.APIToken(ctx, "https://api.example.com/", first, `Bearer error="insufficient_user_authentication", acr_values="urn:mfa"`)
	if s := StepUpFrom(err); code(err) != CodeInsufficientUserAuthentication || s == nil || s.ACRValues != "urn:mfa" {
		t.Errorf("step-up challenge: %v", err)
	}
	if n := p.counts["refresh_token"].Load(); n != 0 {
		t.Fatalf("%d refreshes without invalid_token", n)
	}
	// invalid_token: one forced refresh, a new token.
	retry, err := e.c.APIToken(ctx, "https://api.example.com/", first, `Bearer error="invalid_token"`)
	if err != nil || retry == "" || retry == first {
		t.Fatalf("retry token %q, %v", retry, err)
	}
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	// A second caller rejected with the same old token gets the new one
	// without another refresh.
	again, err := e.c.APIToken(ctx, "https://api.example.com/", first, `Bearer error="invalid_token"`)
	if err != nil || again != retry {
		t.Fatalf("second rejected caller got %q, %v; want %q", again, err, retry)
	}
	if n := p.counts["refresh_token"].Load(); n != 1 {
		t.Fatalf("%d refreshes after two rejections of one token, want 1", n)
	}
}

// Without apiOrigins, the page's own origin (the redirect URI's) is the
// only one that gets the token.
func TestAPITokenDefaultOrigin(t *testing.T) {
	e, _, _ := loggedInWith(t, false, func(*Config) {})
	if _, err := e.c.APIToken(context.Background(), "https://app.example.com/api/me", "", ""); err != nil {
		t.Fatalf("same origin as the page: %v", err)
	}
	if _, err := e.c.APIToken(context.Background(), "https://idp.example.com/userinfo", "", ""); code(err) != CodeOriginNotAllowed {
		t.Fatalf("another origin: %v", err)
	}
}

func TestConfigAPIOrigins(t *testing.T) {
	base := `{"clientId":"c","authorizationEndpoint":"https://idp.example.com/a","tokenEndpoint":"https://idp.example.com/t","redirectUri":"https://app.example.com/cb"`
	c, err := ParseConfig([]byte(base + `,"apiOrigins":["https://API.example.com/","http://localhost:9000"]}`))
	if err != nil || len(c.APIOrigins) != 2 || c.APIOrigins[0] != "https://api.example.com" || c.APIOrigins[1] != "http://localhost:9000" {
		t.Fatalf("apiOrigins = %q, %v", c.APIOrigins, err)
	}
	for _, bad := range []string{`"https://api.example.com"`, `["http://api.example.com"]`, `["https://api.example.com/v1"]`, `[1]`} {
		_, err := ParseConfig([]byte(base + `,"apiOrigins":` + bad + `}`))
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidConfig || e.Field != "apiOrigins" {
			t.Errorf("apiOrigins %s: %v, want invalid_config on apiOrigins", bad, err)
		}
	}
}
