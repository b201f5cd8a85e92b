// Package devidp is a development identity provider that behaves like the
// Amazon Cognito hosted UI, strictly: a client that works against it works
// against the real thing. It is for local development and tests only: any
// user name signs in, without a password.
//
// Endpoints: /oauth2/authorize (a login page), /oauth2/token,
// /oauth2/revoke (RFC 7009), /logout,
// /.well-known/openid-configuration, /.well-known/jwks.json, /oauth2/userInfo
// (OpenID Connect Core §5.3), /api/strong (an API demanding a stronger
// sign-in, RFC 9470), and /api/me, a
// protected demo API that checks the bearer token's signature and expiry.
package devidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// RefreshMode selects how refresh tokens behave.
type RefreshMode string

const (
	// Cognito: a refresh response carries no new refresh token; the old one
	// stays valid (Amazon Cognito's default).
	Cognito RefreshMode = "cognito"
	// Rotating: every refresh returns a new refresh token; presenting a used
	// one revokes the whole grant (Azure AD B2C, RFC 9700 §4.14.2).
	Rotating RefreshMode = "rotating"
)

// Options configure a [Server].
type Options struct {
	Clients        []Client
	RefreshMode    RefreshMode   // default Cognito
	AccessTokenTTL time.Duration // default 1 h
	CodeTTL        time.Duration // default 5 min, as Cognito
	Now            func() time.Time
	// DPoP binds tokens to the key of the request's DPoP proof (dpop.go);
	// DPoPNonce requires the server's nonce in every proof.
	DPoP, DPoPNonce bool
}

// Scopes the provider grants.
var knownScopes = map[string]bool{
	"openid": true, "email": true, "profile": true, "phone": true, "offline_access": true,
	"aws.cognito.signin.user.admin": true, "api/read": true, "api/write": true,
}

// Server is the development provider. Create it with [New].
type Server struct {
	issuer string
	key    *rsa.PrivateKey
	kid    string
	now    func() time.Time

	mu        sync.Mutex
	clients   map[string]Client
	mode      RefreshMode
	ttl       time.Duration
	codeTTL   time.Duration
	codes     map[string]*codeGrant
	refresh   map[string]*refreshGrant
	revoked   map[string]bool // grant ids
	faults    []Fault
	requests  map[string]int
	successes map[string]int
	logouts   []url.Values
	apiCalls  int
	ids       idKeys // ID-token keys and the case played (idtokens.go)

	apiRequests, apiRejects int
	revocations             int
	recordsAPI              recordsAPI
	holds                   hold // hold.go
	dpop                    dpopState
	auth                    authParams // prompt, max_age, acr, userinfo (authparams.go)
	issued                  []string   // every token string answered (issued.go)
}

type user struct {
	Name     string
	Sub      string
	AuthTime time.Time
	ACR      string // the level the sign-in reached, or ""
}

type codeGrant struct {
	client, redirect, challenge, nonce, scope string
	user                                      user
	expires                                   time.Time
	used                                      bool
	grant                                     string
	jkt                                       string // dpop_jkt of the request
}

type refreshGrant struct {
	client, scope, grant string
	user                 user
	used                 bool
	jkt                  string // the DPoP key it is bound to
}

// New starts a provider whose issuer (and base URL) is issuer, for
// example "http://127.0.0.1:9000". A fresh RSA key is made for each.
func New(issuer string, opts Options) (*Server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if opts.RefreshMode == "" {
		opts.RefreshMode = Cognito
	}
	if opts.RefreshMode != Cognito && opts.RefreshMode != Rotating {
		return nil, fmt.Errorf("devidp: refresh mode %q: want cognito or rotating", opts.RefreshMode)
	}
	if opts.AccessTokenTTL == 0 {
		opts.AccessTokenTTL = time.Hour
	}
	if opts.CodeTTL == 0 {
		opts.CodeTTL = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		issuer: strings.TrimSuffix(issuer, "/"), key: key, kid: randomID(8), now: opts.Now,
		clients: map[string]Client{}, mode: opts.RefreshMode, ttl: opts.AccessTokenTTL, codeTTL: opts.CodeTTL,
		codes: map[string]*codeGrant{}, refresh: map[string]*refreshGrant{}, revoked: map[string]bool{},
		requests: map[string]int{}, successes: map[string]int{},
		dpop: dpopState{jtis: map[string]time.Time{}},
	}
	s.EnableDPoP(opts.DPoP, opts.DPoPNonce)
	if err := s.initIDKeys(); err != nil {
		return nil, err
	}
	for _, c := range opts.Clients {
		if !validAuthMethod(c.AuthMethod) {
			return nil, fmt.Errorf("devidp: client %q: auth method %q: want %s or %s", c.ID, c.AuthMethod, ClientSecretBasic, ClientSecretPost)
		}
		s.clients[c.ID] = c
	}
	return s, nil
}

// Issuer returns the issuer identifier.
func (s *Server) Issuer() string { return s.issuer }

// RegisterClient adds or replaces a client.
func (s *Server) RegisterClient(c Client) {
	s.mu.Lock()
	s.clients[c.ID] = c
	s.mu.Unlock()
}

// SetAccessTokenTTL changes the lifetime of tokens issued from now on.
func (s *Server) SetAccessTokenTTL(d time.Duration) {
	s.mu.Lock()
	s.ttl = d
	s.mu.Unlock()
}

// SetRefreshMode changes the refresh behaviour.
func (s *Server) SetRefreshMode(m RefreshMode) {
	s.mu.Lock()
	s.mode = m
	s.mu.Unlock()
}

// TokenRequests returns how many token requests of a grant type arrived.
func (s *Server) TokenRequests(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[grantType]
}

// TokenSuccesses returns how many token requests of a grant type succeeded.
func (s *Server) TokenSuccesses(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.successes[grantType]
}

// LogoutVisits returns the query of every /logout visit.
func (s *Server) LogoutVisits() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.logouts...)
}

// APICalls returns how many /api/me calls were authorised.
func (s *Server) APICalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiCalls
}

// RefreshTokenValid reports whether rt would be accepted now.
func (s *Server) RefreshTokenValid(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.refresh[rt]
	return g != nil && !g.used && !s.revoked[g.grant]
}

// Handler returns the provider's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth2/authorize", s.authorize)
	mux.HandleFunc("POST /oauth2/authorize", s.login)
	mux.HandleFunc("/oauth2/token", s.holding(s.token))
	mux.HandleFunc("/oauth2/revoke", s.revoke)
	mux.HandleFunc("GET /logout", s.logout)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /.well-known/jwks.json", s.jwks)
	mux.HandleFunc("/api/me", s.me)
	mux.HandleFunc("/api/records", s.records)
	mux.HandleFunc("/api/strong", s.strong)
	mux.HandleFunc("/oauth2/userInfo", s.userinfo)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		s.mu.Lock()
		if s.auth.coop {
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
		}
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	})
}

// sign makes an RS256 JWT with the provider's key.
func (s *Server) sign(claims jwt.MapClaims) string {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = s.kid
	out, err := t.SignedString(s.key)
	if err != nil {
		panic(err) // a fresh RSA key cannot fail to sign
	}
	return out
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	s.cors(w, r)
	s.mu.Lock()
	issuer := s.discoveryIssuerLocked()
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{
		"issuer":                                         issuer,
		"authorization_endpoint":                         s.issuer + "/oauth2/authorize",
		"token_endpoint":                                 s.issuer + "/oauth2/token",
		"jwks_uri":                                       s.issuer + "/.well-known/jwks.json",
		"end_session_endpoint":                           s.issuer + "/logout",
		"userinfo_endpoint":                              s.issuer + "/oauth2/userInfo",
		"response_types_supported":                       []string{"code"},
		"grant_types_supported":                          []string{"authorization_code", "refresh_token", "client_credentials"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"none", ClientSecretBasic, ClientSecretPost},
		"revocation_endpoint":                            s.issuer + "/oauth2/revoke",
		"revocation_endpoint_auth_methods_supported":     []string{"none", ClientSecretBasic, ClientSecretPost},
		"id_token_signing_alg_values_supported":          []string{"RS256", "ES256"},
		"subject_types_supported":                        []string{"public"},
		"scopes_supported":                               keys(knownScopes),
		"authorization_response_iss_parameter_supported": true,
	})
}

func big64(v int64) string {
	var b []byte
	for v > 0 {
		b = append([]byte{byte(v)}, b...)
		v >>= 8
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// userFor derives a stable user from a user name: sub, a SmartTask-style
// numeric user_id (as a string), and avatar_url that is null for names of
// odd length.
func userFor(name string, at time.Time) user {
	sum := sha256.Sum256([]byte("devidp:" + name))
	h := hex.EncodeToString(sum[:16])
	sub := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	return user{Name: name, Sub: sub, AuthTime: at}
}

func (u user) userID() string {
	sum := sha256.Sum256([]byte("devidp-id:" + u.Name))
	n := uint64(0)
	for _, b := range sum[:7] {
		n = n<<8 | uint64(b)
	}
	return fmt.Sprintf("%d", n%9_000_000_000+1_000_000_000)
}

func (u user) email() string {
	if strings.Contains(u.Name, "@") {
		return u.Name
	}
	return strings.ReplaceAll(strings.ToLower(u.Name), " ", ".") + "@example.com"
}

func (u user) avatar() any {
	if len(u.Name)%2 == 1 {
		return nil
	}
	return "https://avatars.example.com/" + u.Sub + ".png"
}

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
