package oauth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// countingBody is a response body of n bytes of valid JSON that counts
// what was read from it.
type countingBody struct {
	r    io.Reader
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

func (b *countingBody) Close() error { return nil }

// A token response over 64 KiB is refused unread, even when it is valid
// JSON (the cap, not the parser, refuses it).
func TestTokenResponseCapWithValidJSON(t *testing.T) {
	big := `{"access_token":"` + strings.Repeat("a", 1<<20) + `","token_type":"Bearer","expires_in":3600}`
	body := &countingBody{r: strings.NewReader(big)}
	tr := TransportFunc(func(context.Context, *Request) (*Response, error) {
		return &Response{Status: 200, Header: http.Header{}.Get, Body: body}, nil
	})
	e := newEnv(t, testConfig("https://idp.example.com/token"), tr)
	_, err := e.c.tokenRequest(context.Background(), weburl.Values{}, nil)
	if code(err) != CodeInvalidResponse || !strings.Contains(err.Error(), "larger than 65536 bytes") {
		t.Fatalf("err = %v, want invalid_response for the size", err)
	}
	if n := body.read.Load(); n > MaxTokenResponseBytes+1 {
		t.Fatalf("read %d bytes of a 1 MiB body; the cap is %d", n, MaxTokenResponseBytes)
	}
}

// A token set too large to store is refused on receipt with
// invalid_response, and the previous session stays as it was.
func TestOversizedTokenSetKeepsPreviousSession(t *testing.T) {
	p := newProvider(t)
	p.set(func(w http.ResponseWriter, f url.Values) {
		if f.Get("grant_type") == "authorization_code" {
			writeJSON(w, 200, map[string]any{"access_token": strings.Repeat("a", 30000), "token_type": "Bearer",
				"expires_in": 3600, "refresh_token": "rt-1", "id_token": strings.Repeat("i", 1) + "." + strings.Repeat("j", 30000) + ".k"})
			return
		}
		// Each response is under the 64 KiB response cap, but with the
		// kept ID token the set would exceed the 64 KiB storage cap.
		writeJSON(w, 200, map[string]any{"access_token": strings.Repeat("b", 40000), "token_type": "Bearer", "expires_in": 3600})
	})
	e := newEnv(t, testConfig(p.srv.URL), httpTransport{})
	ts := &TokenSet{V: 1, AccessToken: strings.Repeat("a", 30000), TokenType: "Bearer", RefreshToken: "rt-1",
		IDToken: strings.Repeat("j", 30000), ExpiresAt: e.clock.Now().Add(time.Hour).UnixMilli(), Lifetime: 3600000}
	if err := e.c.storeTokens(ts); err != nil {
		t.Fatal(err)
	}
	before, _, _ := e.tokens.Get(e.c.tokensKey())
	e.clock.Add(2 * time.Hour)
	_, err := e.c.Token(context.Background(), TokenOptions{})
	if code(err) != CodeInvalidResponse {
		t.Fatalf("err = %v, want invalid_response", err)
	}
	after, ok, _ := e.tokens.Get(e.c.tokensKey())
	if !ok || after != before {
		t.Fatal("the previous session was changed or lost")
	}
	// And it is still readable.
	if _, err := e.c.loadTokens(); err != nil {
		t.Fatalf("previous session unreadable: %v", err)
	}
}

// Stored JSON is not HTML-escaped: a "<" stays one byte.
func TestStoredTokensAreNotHTMLEscaped(t *testing.T) {
	e, p, _ := loggedIn(t, false)
	angle := strings.Repeat("<", 20000) // 120,000 bytes if escaped as \u003c
	p.set(func(w http.ResponseWriter, _ url.Values) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"`+angle+`","token_type":"Bearer","expires_in":3600}`)
	})
	e.clock.Add(2 * time.Hour)
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil || tok != angle {
		t.Fatalf("Token: %v", err)
	}
	raw, _, _ := e.tokens.Get(e.c.tokensKey())
	if strings.Contains(raw, `\u003c`) || len(raw) > 21000 {
		t.Fatalf("stored form is %d bytes, HTML-escaped", len(raw))
	}
}

// Provider text is cleaned: control characters dropped, whitespace
// collapsed, 500 characters at most, whatever the channel.
func TestProviderTextIsCleaned(t *testing.T) {
	dirty := "Code\x00 <b>expired</b>\x1b[31m\r\n\t  now\u202e" + strings.Repeat("x", 2000)
	check := func(t *testing.T, d string) {
		t.Helper()
		for _, r := range d {
			if unicode.IsControl(r) || r == '\u202e' {
				t.Fatalf("control character %U kept in %q", r, d[:40])
			}
		}
		if !strings.HasPrefix(d, "Code <b>expired</b>[31m now") {
			t.Fatalf("description %q", d[:40])
		}
		if n := len([]rune(d)); n > 501 || !strings.HasSuffix(d, "…") {
			t.Fatalf("description of %d characters, want at most 500 and an ellipsis", n)
		}
	}
	t.Run("token endpoint", func(t *testing.T) {
		e, p, _ := loggedIn(t, false)
		p.set(func(w http.ResponseWriter, _ url.Values) {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": dirty})
		})
		e.clock.Add(2 * time.Hour)
		_, err := e.c.Token(context.Background(), TokenOptions{})
		var oe *Error
		if !errors.As(err, &oe) {
			t.Fatal(err)
		}
		check(t, oe.Description)
	})
	t.Run("callback", func(t *testing.T) {
		e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
		u, _ := e.c.StartLogin("/")
		au, _ := url.Parse(u)
		_, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?error=access_denied&error_description="+
			url.QueryEscape(dirty)+"&state="+url.QueryEscape(au.Query().Get("state")))
		var oe *Error
		if !errors.As(err, &oe) || oe.Code != "access_denied" {
			t.Fatal(err)
		}
		check(t, oe.Description)
	})
}
