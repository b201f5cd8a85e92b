package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/gopkce/gopkce/wasm/server/m2m"
	"github.com/gopkce/gopkce/wasm/server/tokenhandler"
)

// Where the server-side pieces are mounted.
const (
	// TokenHandlerPath is the page's tokenHandler: the handler serves
	// TokenHandlerPath+"/token" and TokenHandlerPath+"/logout".
	TokenHandlerPath = "/oauth"
	// M2MPath is the demo's machine-to-machine route.
	M2MPath = "/api/m2m"
)

// TokenHandler holds what the token handler needs beyond [Provider]. The
// host reads the secret and the key from its environment (cmd/serve) or
// its secrets (cmd/edge); they are never flags and never reach the page.
type TokenHandler struct {
	ClientSecret string
	AuthStyle    tokenhandler.AuthStyle
	// CookieKey is the 32-byte AES-256-GCM key of the refresh-token cookie.
	CookieKey []byte
	// RefreshTokenLifetime: 0 is the handler's default (30 days, Cognito).
	RefreshTokenLifetime time.Duration
}

// M2M is a client_credentials registration and the API the demo calls
// with its token (the demo's: HTTP Basic client authentication, RFC 6749
// §2.3.1, and scope api/write).
type M2M struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	Scopes       []string
	AuthStyle    oauth2.AuthStyle
	// API is the URL that POST /api/m2m posts to with the bearer token.
	API string
}

// mountConfidential mounts the token handler and the M2M route when they
// are configured.
func (o Options) mountConfidential(mux *http.ServeMux) error {
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	logger := slog.New(slog.NewTextHandler(logw, nil))
	var handler *tokenhandler.Handler
	if th := o.TokenHandler; th != nil {
		h, err := tokenhandler.New(tokenhandler.Config{
			TokenEndpoint: o.Provider.TokenEndpoint, RevocationEndpoint: o.Provider.RevocationEndpoint,
			ClientID: o.Provider.ClientID, ClientSecret: th.ClientSecret, AuthStyle: th.AuthStyle,
			Origin: o.SiteURL, CookieKey: th.CookieKey, Prefix: TokenHandlerPath,
			RefreshTokenLifetime: th.RefreshTokenLifetime, HTTPClient: o.HTTPClient, Logger: logger,
		})
		if err != nil {
			return fmt.Errorf("app: %w", err)
		}
		mux.Handle(TokenHandlerPath+"/", h)
		handler = h
	}
	if m := o.M2M; m != nil {
		if m.API == "" || m.TokenURL == "" || m.ClientID == "" || m.ClientSecret == "" {
			return fmt.Errorf("app: M2M needs a token URL, a client id, a secret and an API")
		}
		if handler == nil {
			// The route spends the server's credentials: only a signed-in
			// user may call it, and the token handler's session says so.
			return fmt.Errorf("app: M2M needs the token handler: POST %s serves only a user signed in through it", M2MPath)
		}
		for name, v := range map[string]string{"token URL": m.TokenURL, "API": m.API} {
			if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return fmt.Errorf("app: M2M %s %q is not an absolute http(s) URL", name, v)
			}
		}
		ts := m2m.Config{
			TokenURL: m.TokenURL, ClientID: m.ClientID, ClientSecret: m.ClientSecret,
			Scopes: m.Scopes, AuthStyle: m.AuthStyle, HTTPClient: o.HTTPClient,
		}.TokenSource(context.Background())
		mux.Handle("POST "+M2MPath, &m2mRoute{site: o.SiteURL, api: m.API, client: m2m.Client(ts, o.HTTPClient), log: logger, signedIn: handler.Authenticated})
	}
	return nil
}

// m2mRoute is POST /api/m2m: it calls the protected API with a
// client_credentials token and answers {"status", "result"}: what the API
// said, never the token. Only the page itself may call it (the same
// Origin and Fetch Metadata checks as the token handler), and only for a
// user signed in through the token handler: its session cookie must open.
// Headers anyone can set (curl) are not authentication.
type m2mRoute struct {
	site     string
	api      string
	client   *http.Client
	log      *slog.Logger
	signedIn func(*http.Request) bool
}

func (m *m2mRoute) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("Origin") != m.site || r.Header.Get(tokenhandler.RequestHeader) != "1" ||
		(r.Header.Get("Sec-Fetch-Site") != "" && r.Header.Get("Sec-Fetch-Site") != "same-origin") {
		writeJSONStatus(w, http.StatusForbidden, map[string]any{"error": "forbidden"})
		return
	}
	if !m.signedIn(r) {
		m.log.Warn("m2m", slog.String("code", "login_required"))
		writeJSONStatus(w, http.StatusUnauthorized, map[string]any{"error": "login_required"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), m2m.DefaultTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, m.api, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		// The error may quote the provider's answer; only its kind goes out.
		code := "temporarily_unavailable"
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode != "" {
			code = re.ErrorCode
		}
		m.log.Error("m2m", slog.String("code", code))
		writeJSONStatus(w, http.StatusBadGateway, map[string]any{"error": code})
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var result any
	if json.Unmarshal(body, &result) != nil {
		result = nil
	}
	m.log.Info("m2m", slog.Int("api_status", resp.StatusCode))
	writeJSONStatus(w, http.StatusOK, map[string]any{"status": resp.StatusCode, "result": result})
}

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
