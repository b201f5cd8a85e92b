package oauth

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

func TestParseTokenResponse(t *testing.T) {
	secret := "SECRET-BODY-MARKER"
	for _, tc := range []struct {
		name        string
		status      int
		ctype, body string
		wantCode    string
		check       func(t *testing.T, r *tokenResponse)
	}{
		{name: "minimal", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":3600}`,
			check: func(t *testing.T, r *tokenResponse) {
				if r.AccessToken != "a" || r.ExpiresIn != time.Hour || r.RefreshToken != "" {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "lowercase bearer (B2C)", status: 200, body: `{"access_token":"a","token_type":"bearer"}`},
		{name: "BEARER", status: 200, body: `{"access_token":"a","token_type":"BEARER"}`},
		{name: "mac refused", status: 200, body: `{"access_token":"a","token_type":"mac"}`, wantCode: CodeInvalidResponse},
		{name: "DPoP parsed (dpopTokenType checks it was asked)", status: 200, body: `{"access_token":"a","token_type":"dpop"}`},
		{name: "token_type missing", status: 200, body: `{"access_token":"a"}`, wantCode: CodeInvalidResponse},
		{name: "access_token missing", status: 200, body: `{"token_type":"Bearer"}`, wantCode: CodeInvalidResponse},
		{name: "access_token empty", status: 200, body: `{"access_token":"","token_type":"Bearer"}`, wantCode: CodeInvalidResponse},
		{name: "access_token number", status: 200, body: `{"access_token":42,"token_type":"Bearer"}`, wantCode: CodeInvalidResponse},
		{name: "access_token object", status: 200, body: `{"access_token":{"x":1},"token_type":"Bearer"}`, wantCode: CodeInvalidResponse},
		{name: "expires_in missing uses default", status: 200, body: `{"access_token":"a","token_type":"Bearer"}`,
			check: func(t *testing.T, r *tokenResponse) {
				if r.ExpiresIn != 0 {
					t.Fatalf("expires_in = %v, want absent", r.ExpiresIn)
				}
			}},
		{name: "expires_in string accepted", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":"3600"}`,
			check: func(t *testing.T, r *tokenResponse) {
				if r.ExpiresIn != time.Hour {
					t.Fatalf("expires_in = %v", r.ExpiresIn)
				}
			}},
		{name: "expires_in negative", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":-5}`, wantCode: CodeInvalidResponse},
		{name: "expires_in fractional", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":3599.9}`,
			check: func(t *testing.T, r *tokenResponse) {
				if r.ExpiresIn != 3599*time.Second {
					t.Fatalf("expires_in = %v", r.ExpiresIn)
				}
			}},
		{name: "expires_in exponent", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":"3.6e3"}`,
			check: func(t *testing.T, r *tokenResponse) {
				if r.ExpiresIn != time.Hour {
					t.Fatalf("expires_in = %v", r.ExpiresIn)
				}
			}},
		{name: "expires_in negative fraction", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":-0.5}`, wantCode: CodeInvalidResponse},
		{name: "expires_in fractional beyond the bound", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":1e15}`, wantCode: CodeInvalidResponse},
		{name: "expires_in hexadecimal", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":"0x1p4"}`, wantCode: CodeInvalidResponse},
		{name: "expires_in huge", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":1e300}`, wantCode: CodeInvalidResponse},
		{name: "expires_in garbage string", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":"soon"}`, wantCode: CodeInvalidResponse},
		{name: "expires_in bool", status: 200, body: `{"access_token":"a","token_type":"Bearer","expires_in":true}`, wantCode: CodeInvalidResponse},
		{name: "refresh_token null", status: 200, body: `{"access_token":"a","token_type":"Bearer","refresh_token":null}`,
			check: func(t *testing.T, r *tokenResponse) {
				if r.RefreshToken != "" {
					t.Fatal("null refresh token kept")
				}
			}},
		{name: "refresh_token number", status: 200, body: `{"access_token":"a","token_type":"Bearer","refresh_token":7}`, wantCode: CodeInvalidResponse},
		{name: "id_token number", status: 200, body: `{"access_token":"a","token_type":"Bearer","id_token":7}`, wantCode: CodeInvalidResponse},
		{name: "null", status: 200, body: `null`, wantCode: CodeInvalidResponse},
		{name: "array", status: 200, body: `[]`, wantCode: CodeInvalidResponse},
		{name: "200 with HTML", status: 200, ctype: "text/html", body: "<html>" + secret + "</html>", wantCode: CodeInvalidResponse},
		{name: "truncated JSON", status: 200, body: `{"access_token":"a","token_ty`, wantCode: CodeInvalidResponse},
		{name: "trailing garbage", status: 200, body: `{"access_token":"a","token_type":"Bearer"} {"x":1}`, wantCode: CodeInvalidResponse},
		{name: "200 carrying error", status: 200, body: `{"error":"invalid_grant"}`, wantCode: CodeInvalidGrant},
		{name: "500 with HTML", status: 500, ctype: "text/html", body: "<h1>" + secret + "</h1>", wantCode: CodeNetworkError},
		{name: "503", status: 503, body: "", wantCode: CodeNetworkError},
		{name: "429", status: 429, body: "", wantCode: CodeNetworkError},
		{name: "400 invalid_grant", status: 400, body: `{"error":"invalid_grant","error_description":"bad code"}`, wantCode: CodeInvalidGrant},
		{name: "400 invalid_request", status: 400, body: `{"error":"invalid_request"}`, wantCode: "invalid_request"},
		{name: "401 invalid_client", status: 401, body: `{"error":"invalid_client"}`, wantCode: "invalid_client"},
		{name: "400 unsupported_grant_type", status: 400, body: `{"error":"unsupported_grant_type"}`, wantCode: "unsupported_grant_type"},
		{name: "400 HTML", status: 400, ctype: "text/html", body: "<p>" + secret + "</p>", wantCode: CodeInvalidResponse},
		{name: "400 error not a string", status: 400, body: `{"error":5}`, wantCode: CodeInvalidResponse},
		{name: "302", status: 302, body: "", wantCode: CodeInvalidResponse},
		{name: "204", status: 204, body: "", wantCode: CodeInvalidResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.ctype
			if ct == "" {
				ct = "application/json"
			}
			r, err := parseTokenResponse(tc.status, http.Header{"Content-Type": {ct}}.Get, []byte(tc.body), time.Time{})
			if got := code(err); got != tc.wantCode {
				t.Fatalf("err = %v, want code %q", err, tc.wantCode)
			}
			if err != nil {
				if strings.Contains(err.Error(), secret) || strings.Contains(err.(*Error).Description, secret) {
					t.Fatalf("error echoes the body: %v", err)
				}
				if !strings.HasPrefix(err.Error(), "gopkce: ") {
					t.Fatalf("error lacks the prefix: %v", err)
				}
				return
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestTokenRequestShape(t *testing.T) {
	p := newProvider(t)
	p.set(newTokenHandler(false).serve(t))
	e := newEnv(t, testConfig(p.srv.URL), httpTransport{})
	e.login(t)
	p.mu.Lock()
	h := p.headers[0]
	p.mu.Unlock()
	if h.Get("Authorization") != "" {
		t.Fatal("Authorization header sent by a public client")
	}
	if h.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("Content-Type = %q", h.Get("Content-Type"))
	}
	f := p.lastForm()
	want := url.Values{
		"grant_type": {"authorization_code"}, "code": {"the-code"}, "client_id": {"client-1"},
		"redirect_uri": {"https://app.example.com/callback"}, "code_verifier": {seqVerifier},
	}
	if f.Encode() != want.Encode() {
		t.Fatalf("form = %s\nwant  %s", f.Encode(), want.Encode())
	}
}

// Transport-level faults: redirects not followed, huge
// bodies capped, a response that never finishes times out.
func TestTokenEndpointTransportFaults(t *testing.T) {
	redirectTarget := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		redirectTarget++
		writeJSON(w, 200, map[string]any{"access_token": "a", "token_type": "Bearer"})
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"`))
		chunk := []byte(strings.Repeat("a", 1<<20))
		for i := 0; i < 40; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	hang := make(chan struct{})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		w.Write([]byte(`{"access_token":`))
		w.(http.Flusher).Flush()
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/www-auth", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		writeJSON(w, 401, map[string]string{"error": "invalid_client"})
	})
	p := newProvider(t)
	p.setRequest(mux.ServeHTTP)
	defer close(hang)

	for _, tc := range []struct {
		path, want string
	}{
		{"/redirect", CodeInvalidResponse},
		{"/huge", CodeInvalidResponse},
		{"/hang", CodeNetworkError},
		{"/www-auth", "invalid_client"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			cfg := testConfig(p.srv.URL + tc.path)
			cfg.Timeout = 300 * time.Millisecond
			e := newEnv(t, cfg, httpTransport{})
			_, err := e.c.tokenRequest(context.Background(), weburl.Values{"grant_type": {"refresh_token"}}, nil)
			if code(err) != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
	if redirectTarget != 0 {
		t.Fatal("the redirect was followed")
	}
}

func TestNetworkFailureIsNetworkError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	e := newEnv(t, testConfig("http://"+addr+"/token"), httpTransport{})
	_, err = e.c.tokenRequest(context.Background(), weburl.Values{}, nil)
	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("err = %v, want network_error", err)
	}
}

func TestBodyIsAlwaysClosed(t *testing.T) {
	closed := 0
	tr := &stubTransport{answer: func(*Request) (*Response, error) {
		return &Response{Status: 500, Header: http.Header{}.Get, Body: closeCounter{io.NopCloser(strings.NewReader("x")), &closed}}, nil
	}}
	e := newEnv(t, testConfig("https://idp.example.com/token"), tr)
	e.c.tokenRequest(context.Background(), weburl.Values{}, nil)
	if closed != 1 {
		t.Fatalf("body closed %d times", closed)
	}
}

type closeCounter struct {
	io.ReadCloser
	n *int
}

func (c closeCounter) Close() error { *c.n++; return c.ReadCloser.Close() }
