package oauth

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// Provider codes never pass for gopkce's own, and whether a failure is
// transient depends on the status, never on a code the provider chose.
func TestProviderCodesAreKeptApart(t *testing.T) {
	for _, tc := range []struct {
		status           int
		providerCode     string
		wantCode         string
		wantProviderCode string
		wantRequests     int64
	}{
		{400, "network_error", CodeProviderError, "network_error", 1},
		{400, "internal_error", CodeProviderError, "internal_error", 1},
		{400, "invalid_config", CodeProviderError, "invalid_config", 1},
		{400, "storage_error", CodeProviderError, "storage_error", 1},
		{400, "aadb2c90080", CodeProviderError, "aadb2c90080", 1},
		{400, "Not A Code!", CodeProviderError, "", 1},
		{400, "invalid_scope", "invalid_scope", "invalid_scope", 1},
		{400, "server_error", "server_error", "server_error", 1},
		{400, "temporarily_unavailable", "temporarily_unavailable", "temporarily_unavailable", 1},
		{503, "invalid_grant", CodeNetworkError, "", refreshAttempts},
		{429, "network_error", CodeNetworkError, "", refreshAttempts},
	} {
		t.Run(tc.providerCode+"/"+http.StatusText(tc.status), func(t *testing.T) {
			e, p, _ := loggedIn(t, false)
			e.clock.Add(2 * time.Hour)
			p.set(func(w http.ResponseWriter, _ url.Values) {
				writeJSON(w, tc.status, map[string]string{"error": tc.providerCode})
			})
			_, err := e.c.Token(context.Background(), TokenOptions{})
			var oe *Error
			if !errors.As(err, &oe) || oe.Code != tc.wantCode || oe.ProviderCode != tc.wantProviderCode {
				t.Fatalf("err = %v (provider code %q), want %s / %q", err, oe.ProviderCode, tc.wantCode, tc.wantProviderCode)
			}
			if n := p.counts["refresh_token"].Load(); n != tc.wantRequests {
				t.Fatalf("%d requests, want %d", n, tc.wantRequests)
			}
			if ts := e.stored(t); ts == nil || ts.RefreshToken != "rt-1" {
				t.Fatal("refresh token lost")
			}
		})
	}
	// The authorization response's error parameter follows the same rule.
	for code, want := range map[string]string{"network_error": CodeProviderError, "login_required": CodeLoginRequired, "access_denied": "access_denied", "state_mismatch": CodeProviderError} {
		e := newEnv(t, testConfig("https://idp.example.com/token"), &stubTransport{})
		u, _ := e.c.StartLogin("/")
		au, _ := url.Parse(u)
		_, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?error="+code+"&state="+url.QueryEscape(au.Query().Get("state")))
		var oe *Error
		if !errors.As(err, &oe) || oe.Code != want || oe.ProviderCode != code {
			t.Errorf("callback error=%s: %v (provider code %q), want %s", code, err, oe.ProviderCode, want)
		}
	}
}

// Errors explain themselves.
func TestErrorMessagesExplain(t *testing.T) {
	callback := func(t *testing.T, tweak func(*Config), iss string) error {
		e := newEnv(t, func() Config { c := testConfig("https://idp.example.com/token"); tweak(&c); return c }(), &stubTransport{})
		u, _ := e.c.StartLogin("/")
		au, _ := url.Parse(u)
		_, err := e.c.HandleCallback(context.Background(), e.c.cfg.RedirectURI+"?code=c&iss="+url.QueryEscape(iss)+"&state="+url.QueryEscape(au.Query().Get("state")))
		return err
	}
	t.Run("issuer mismatch shows both", func(t *testing.T) {
		err := callback(t, func(*Config) {}, "https://idp.example.com/")
		msg := err.Error()
		if code(err) != CodeIssuerMismatch || !strings.Contains(msg, `"https://idp.example.com/"`) ||
			!strings.Contains(msg, `"https://idp.example.com"`) || !strings.Contains(msg, "trailing slash") {
			t.Fatalf("message %q", msg)
		}
	})
	t.Run("iss without a configured issuer", func(t *testing.T) {
		err := callback(t, func(c *Config) { c.Issuer = "" }, "https://idp.example.com")
		if code(err) != CodeIssuerMismatch || !strings.Contains(err.Error(), "no issuer is configured") ||
			!strings.Contains(err.Error(), "set issuer") {
			t.Fatalf("message %q", err)
		}
	})
	t.Run("hostile iss is shown as plain text", func(t *testing.T) {
		err := callback(t, func(*Config) {}, "https://evil.example\n<script>")
		if strings.ContainsAny(err.Error(), "\n") {
			t.Fatalf("message %q", err)
		}
	})
	t.Run("forced refresh without a refresh token", func(t *testing.T) {
		e, p, _ := loggedIn(t, false)
		e.c.ForgetRefreshToken()
		_, err := e.c.Token(context.Background(), TokenOptions{ForceRefresh: true})
		if !errors.Is(err, ErrLoginRequired) || !strings.Contains(err.Error(), "forceRefresh") || !strings.Contains(err.Error(), "no refresh token") {
			t.Fatalf("err = %v", err)
		}
		if n := p.counts["refresh_token"].Load(); n != 0 {
			t.Fatal("a refresh was sent")
		}
	})
}

// The error codes are written in gopkce.d.ts's ErrorCode union: every Code
// constant of the package and every registered provider code. Their values
// are wasm/internal/protocol's, read from its source here; that package's
// tests keep gopkce's own codes apart from the registered ones.
func TestErrorCodesInTypes(t *testing.T) {
	fset := token.NewFileSet()
	// protocol's constants, name to value.
	pf, err := parser.ParseFile(fset, "../internal/protocol/codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	ast.Inspect(pf, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			for i, name := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
					values[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
		return true
	})
	// The core's Code constants: string(protocol.Name).
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]bool{}
	for _, f := range pkgs["oauth"].Files {
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
					continue
				}
				call, ok := vs.Values[i].(*ast.CallExpr)
				var sel *ast.SelectorExpr
				if ok && len(call.Args) == 1 {
					sel, ok = call.Args[0].(*ast.SelectorExpr)
				}
				if !ok || values[sel.Sel.Name] == "" {
					t.Errorf("%s is not string(protocol.Name)", name.Name)
					continue
				}
				own[values[sel.Sel.Name]] = true
			}
			return true
		})
	}
	if len(own) < 17 {
		t.Fatalf("found only %d Code constants", len(own))
	}
	data, err := os.ReadFile("../../web/gopkce.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	dts := string(data)
	for code := range own {
		if !strings.Contains(dts, `| "`+code+`"`) {
			t.Errorf("gopkce.d.ts's ErrorCode lacks gopkce's %q", code)
		}
	}
	for _, v := range values {
		if protocol.Code(v).Registered() && !strings.Contains(dts, `| "`+v+`"`) {
			t.Errorf("gopkce.d.ts's ErrorCode lacks the provider code %q", v)
		}
	}
}
