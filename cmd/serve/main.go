// Command serve hosts the gopkce demo: the static site in web/ and, unless a
// real provider is configured, an embedded development identity provider.
//
//	go run ./cmd/serve                 # demo on http://127.0.0.1:8080
//	go run ./cmd/serve -build          # build web/gopkce.wasm and exit
//	go run ./cmd/serve -client-id ... -authorization-endpoint ... -token-endpoint ...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/build"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// options are the flags of serve.
type options struct {
	addr, idpAddr, web string
	gopkceWeb          string // the module's web/: gopkce's files for a -web page
	buildOnly, noBuild bool
	quiet              bool

	// Development provider.
	refreshMode  string
	accessTTL    time.Duration
	redirectURIs stringList // more redirect URIs to register
	anyLoopback  bool       // accept any loopback redirect URI

	// Client configuration handed to the page.
	storage                                 string
	refreshMargin                           time.Duration
	issuer, authEndpoint, tokenEndpoint     string
	logoutEndpoint, endSessionEndpoint, api string
	discoveryURL, jwksURI                   string
	clientID, scope                         string
	refreshTokenLifetime                    string

	// Confidential client behind the token handler, and machine to machine.
	tokenHandler       bool
	bff                bool
	bffNow             func() time.Time // tests: the backend for frontend's clock
	authStyle          string
	revocationEndpoint string
	m2mTokenEndpoint   string
	m2mClientID        string
	m2mScope           string
	m2mAPI             string

	// idpCOOP: the development provider sends Cross-Origin-Opener-Policy.
	idpCOOP bool

	// configHook lets tests change the page's configuration.
	configHook func(cfg map[string]any)
	// dpop is the page's dpop option; idpDPoP and dpopNonce turn DPoP
	// and its nonce requirement on at the development provider.
	dpop               string
	idpDPoP, dpopNonce bool
	// wrapSite lets tests and benchmarks serve more pages beside the site
	// (the floor page); it receives the page configuration.
	wrapSite func(site http.Handler, pageConfig map[string]any) http.Handler
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address of the demo site (loopback by default)")
	fs.StringVar(&o.idpAddr, "idp-addr", "127.0.0.1:8081", "listen address of the development identity provider, whose URL is the issuer your page configures (port 0: any free port)")
	fs.StringVar(&o.web, "web", "", "site directory: your own page, served with the demo's headers and /config.json; gopkce's files (gopkce.js, gopkce.wasm, ...) come from the module's web/ when it lacks them (default: web/ of the module, the demo)")
	fs.BoolVar(&o.buildOnly, "build", false, "build web/gopkce.wasm with its .br and .gz, print the sizes and exit")
	fs.BoolVar(&o.noBuild, "no-build", false, "do not rebuild a missing or stale web/gopkce.wasm")
	fs.BoolVar(&o.quiet, "quiet", false, "no access log")
	fs.BoolVar(&o.idpCOOP, "idp-coop", false, "development provider: send Cross-Origin-Opener-Policy: same-origin, as Microsoft's sign-in pages do (a popup login must not need window.opener)")
	fs.StringVar(&o.refreshMode, "refresh-mode", "cognito", "development provider's refresh behaviour: cognito (no new refresh token) or rotating (new one each time, reuse revokes the grant)")
	fs.DurationVar(&o.accessTTL, "access-ttl", time.Hour, "development provider's access-token lifetime (try 30s to watch refreshes)")
	fs.Var(&o.redirectURIs, "redirect-uri", "development provider: register this redirect URI (exactly) for client gopkce-demo and allow CORS from its origin; repeat for several")
	fs.BoolVar(&o.anyLoopback, "any-loopback", true, "development provider: also accept any http redirect URI on 127.0.0.1, [::1] or localhost (any port and path), and CORS from those origins")
	fs.StringVar(&o.storage, "storage", "session", "token storage of the page: session, local or memory (always local with -token-handler)")
	fs.DurationVar(&o.refreshMargin, "refresh-margin", 60*time.Second, "refresh tokens this long before they expire")
	fs.StringVar(&o.issuer, "issuer", "", "real provider: issuer identifier")
	fs.StringVar(&o.authEndpoint, "authorization-endpoint", "", "real provider: authorization endpoint")
	fs.StringVar(&o.tokenEndpoint, "token-endpoint", "", "real provider: token endpoint")
	fs.StringVar(&o.logoutEndpoint, "logout-endpoint", "", "real provider: Cognito /logout endpoint")
	fs.StringVar(&o.endSessionEndpoint, "end-session-endpoint", "", "real provider: OpenID Connect end_session_endpoint")
	fs.StringVar(&o.discoveryURL, "discovery-url", "", "real provider: discovery document outside {issuer}/.well-known/openid-configuration (Azure AD B2C: {authority}/.well-known/openid-configuration)")
	fs.StringVar(&o.jwksURI, "jwks-uri", "", "real provider: key set of ID token signatures, when not read from discovery (Cognito: {issuer}/.well-known/jwks.json)")
	fs.StringVar(&o.clientID, "client-id", "", "real provider: public client id (no secret: there is none in a browser)")
	fs.StringVar(&o.scope, "scope", "", "real provider: scope (default for the development provider: openid email profile)")
	fs.StringVar(&o.refreshTokenLifetime, "refresh-token-lifetime", "cognito", `refresh-token lifetime: "cognito", "azure-b2c-spa" or seconds`)
	fs.StringVar(&o.api, "api", "", "real provider: URL of an API to call with the bearer token")
	fs.BoolVar(&o.tokenHandler, "token-handler", false, "confidential client: the page exchanges codes and refreshes through the token handler at /oauth/, which holds the secret and keeps the refresh token in an HttpOnly cookie. Development provider: a confidential client is registered; real provider: the secret comes from $"+envClientSecret+" (or $"+envClientSecret+"_FILE), never a flag")
	fs.BoolVar(&o.bff, "bff", false, "backend for frontend: the server at /bff/ is the confidential client and keeps every token (access, refresh, ID) in sealed HttpOnly cookies; the page calls the API through its proxy route "+app.BFFRoutePath+". Development provider: a confidential client is registered; real provider: the secret comes from $"+envClientSecret+" (or $"+envClientSecret+"_FILE), and -jwks-uri is needed")
	fs.StringVar(&o.authStyle, "auth-style", "client_secret_basic", "token handler's client authentication: client_secret_basic (Cognito) or client_secret_post (Azure AD B2C)")
	fs.StringVar(&o.revocationEndpoint, "revocation-endpoint", "", "real provider: RFC 7009 revocation endpoint, used by the token handler at logout")
	fs.StringVar(&o.m2mTokenEndpoint, "m2m-token-endpoint", "", "real provider: token endpoint of a client_credentials client for the demo's /api/m2m (secret from $"+envM2MSecret+")")
	fs.StringVar(&o.m2mClientID, "m2m-client-id", "", "real provider: client_credentials client id")
	fs.StringVar(&o.m2mScope, "m2m-scope", "api/write", "client_credentials scope")
	fs.StringVar(&o.m2mAPI, "m2m-api", "", "real provider: API URL that /api/m2m POSTs to with the client_credentials token")
	fs.StringVar(&o.dpop, "dpop", "", `the page's dpop option: "if-supported" or "required" binds tokens to a non-extractable key (RFC 9449); empty: off`)
	fs.BoolVar(&o.idpDPoP, "idp-dpop", true, "development provider: issue DPoP-bound tokens to requests with a DPoP proof")
	fs.BoolVar(&o.dpopNonce, "dpop-nonce", false, "development provider: require its DPoP nonce in every proof")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	root, err := build.ModuleRoot(".")
	if err != nil {
		return err
	}
	if o.buildOnly {
		sizes, err := build.Build(root)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "web/gopkce.wasm     %9d bytes\nweb/gopkce.wasm.gz  %9d bytes\nweb/gopkce.wasm.br  %9d bytes\n", sizes.Raw, sizes.Gzip, sizes.Brotli)
		return nil
	}
	o.gopkceWeb = filepath.Join(root, "web")
	if o.web == "" {
		o.web = o.gopkceWeb
	}
	if !o.noBuild {
		if err := build.Ensure(root, stdout); err != nil {
			return err
		}
	}
	st, err := start(o, stdout, stderr)
	if err != nil {
		return err
	}
	if st.idp != nil {
		fmt.Fprintf(stdout, "development identity provider on %s (for development only: any user name signs in)\n", st.idp.Issuer())
		if o.bff {
			printBFFSetup(stdout, st.idp.Issuer(), st.siteURL)
		} else {
			printDevSetup(stdout, st.idp.Issuer(), st.siteURL, o)
		}
	}
	if o.bff {
		fmt.Fprintf(stdout, "backend for frontend on %s%s/ (%s): the server keeps every token; the API is proxied at %s%s\n", st.siteURL, app.BFFPath, o.authStyle, st.siteURL, app.BFFRoutePath)
	}
	if o.tokenHandler {
		fmt.Fprintf(stdout, "token handler on %s%s/ (%s): the page's client is confidential, its refresh token stays in an HttpOnly cookie\n", st.siteURL, app.TokenHandlerPath, o.authStyle)
	}
	fmt.Fprintf(stdout, "gopkce demo on %s/\n", st.siteURL)
	select {
	case <-ctx.Done():
	case err := <-st.errc:
		return err
	}
	fmt.Fprintln(stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return st.shutdown(sctx)
}

// stack is a running site and, possibly, development provider.
type stack struct {
	siteURL string
	idp     *devidp.Server
	servers []*http.Server
	roots   []*os.Root
	errc    chan error
}

// start listens and serves; it returns once both listeners are open.
func start(o options, stdout, stderr io.Writer) (*stack, error) {
	siteLn, err := listen(o.addr, "-addr", "the site")
	if err != nil {
		return nil, err
	}
	st := &stack{siteURL: "http://" + siteLn.Addr().String(), errc: make(chan error, 2)}
	fail := func(err error) (*stack, error) {
		siteLn.Close()
		st.shutdown(context.Background())
		return nil, err
	}
	log := stderr
	if o.quiet {
		log = io.Discard
	}
	// os.Root refuses symlinks that leave the site directory.
	root, err := os.OpenRoot(o.web)
	if err != nil {
		return fail(err)
	}
	st.roots = append(st.roots, root)
	assets := root.FS()
	if o.gopkceWeb != "" && o.gopkceWeb != o.web {
		mod, err := os.OpenRoot(o.gopkceWeb)
		if err != nil {
			return fail(err)
		}
		st.roots = append(st.roots, mod)
		assets = pageFS{page: assets, gopkce: mod.FS()}
	}
	ao := app.Options{
		SiteURL: st.siteURL,
		Assets:  assets,
		Provider: app.Provider{
			Issuer: o.issuer, AuthorizationEndpoint: o.authEndpoint, TokenEndpoint: o.tokenEndpoint,
			LogoutEndpoint: o.logoutEndpoint, EndSessionEndpoint: o.endSessionEndpoint,
			DiscoveryURL: o.discoveryURL, JWKSURI: o.jwksURI,
			ClientID: o.clientID, Scope: o.scope, API: o.api,
		},
		Storage:              o.storage,
		RefreshMargin:        o.refreshMargin,
		RefreshTokenLifetime: o.refreshTokenLifetime,
		Compress:             build.Compress,
		Log:                  log,
		ConfigHook:           withDPoP(o.dpop, o.configHook),
	}
	ao.Provider.RevocationEndpoint = o.revocationEndpoint
	conf, err := newConfidential(o)
	if err != nil {
		return fail(err)
	}
	if o.clientID == "" {
		idpLn, err := listen(o.idpAddr, "-idp-addr", "the development provider")
		if err != nil {
			return fail(err)
		}
		issuer := "http://" + idpLn.Addr().String()
		idp, err := devidp.New(issuer, devidp.Options{
			RefreshMode:    devidp.RefreshMode(o.refreshMode),
			AccessTokenTTL: o.accessTTL,
			DPoP:           o.idpDPoP,
			DPoPNonce:      o.dpopNonce,
			Clients:        append([]devidp.Client{devClient(ao, o)}, conf.devClients(devClient(ao, o))...),
		})
		if err != nil {
			idpLn.Close()
			return fail(err)
		}
		st.idp = idp
		idp.SetPageCOOP(o.idpCOOP)
		ao.Provider = app.DevProvider(issuer)
		st.serve(idpLn, idp.Handler())
	}
	conf.apply(&ao, st.idp, o)
	h, err := app.New(ao)
	if err != nil {
		return fail(err)
	}
	if o.wrapSite != nil {
		h = o.wrapSite(h, ao.PageConfig())
	}
	st.serve(siteLn, h)
	return st, nil
}

// printDevSetup tells an integrator how to point their own page at the
// development provider, in the demo's mode: a public client that talks to
// the token endpoint, or with -token-handler the confidential client
// behind this server's /oauth/ (a page served by -web DIR). It also
// prints the fixed development credentials of the confidential and
// machine-to-machine clients, which the development provider alone
// accepts.
func printDevSetup(w io.Writer, issuer, site string, o options) {
	p := app.DevProvider(issuer)
	accepted := site + "/callback"
	for _, u := range o.redirectURIs {
		accepted += ", " + u
	}
	if o.anyLoopback {
		accepted += ", any http://127.0.0.1|localhost|[::1] URI"
	}
	if o.tokenHandler {
		fmt.Fprintf(w, "  your own page (served by this serve, -web DIR): gopkce.configure({ issuer: %q, authorizationEndpoint: %q,\n"+
			"    tokenHandler: %q, logoutEndpoint: %q, clientId: %q,\n"+
			"    redirectUri: location.origin + \"/callback\", scope: %q, storage: \"local\" })\n",
			p.Issuer, p.AuthorizationEndpoint, app.TokenHandlerPath, p.LogoutEndpoint, devidp.DevConfidentialClientID, p.Scope)
	} else {
		fmt.Fprintf(w, "  your own page: gopkce.configure({ issuer: %q, authorizationEndpoint: %q,\n"+
			"    tokenEndpoint: %q, logoutEndpoint: %q, clientId: %q,\n"+
			"    redirectUri: location.origin + \"/callback\", scope: %q })\n",
			p.Issuer, p.AuthorizationEndpoint, p.TokenEndpoint, p.LogoutEndpoint, p.ClientID, p.Scope)
	}
	fmt.Fprintf(w, "  redirect URIs accepted: %s\n", accepted)
	fmt.Fprintf(w, "  development credentials (this provider only): confidential client %s / %s (%s);\n"+
		"    machine to machine %s / %s, scopes %s, token endpoint %s\n",
		devidp.DevConfidentialClientID, devidp.DevConfidentialSecret, o.authStyle,
		devidp.DevM2MClientID, devidp.DevM2MSecret, strings.Join(devidp.DevM2MScopes, " "), p.TokenEndpoint)
}

// devClient is the demo's client at the development provider: the site's
// own redirect URI, those of -redirect-uri (with their origin + "/" as
// logout URI), and any loopback one with -any-loopback.
func devClient(ao app.Options, o options) devidp.Client {
	c := devidp.Client{
		ID:           app.DevClientID,
		RedirectURIs: []string{ao.RedirectURI()},
		LogoutURIs:   []string{ao.PostLogoutURI()},
		AnyLoopback:  o.anyLoopback,
	}
	for _, u := range o.redirectURIs {
		c.RedirectURIs = append(c.RedirectURIs, u)
		for _, origin := range app.Origins(u) {
			c.LogoutURIs = append(c.LogoutURIs, origin+"/")
		}
	}
	return c
}

// listen opens addr, and when the port is taken says which flag moves it.
func listen(addr, flagName, what string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s cannot listen on %s: the port is taken (another serve still running?); choose another with %s, for example %s 127.0.0.1:0 for any free port", what, addr, flagName, flagName)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w (flag %s)", what, err, flagName)
	}
	return ln, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, " ") }

func (l *stringList) Set(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute http(s) URI without fragment", v)
	}
	*l = append(*l, v)
	return nil
}

func (st *stack) serve(ln net.Listener, h http.Handler) {
	srv := app.Server(h)
	st.servers = append(st.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			st.errc <- err
		}
	}()
}

func (st *stack) shutdown(ctx context.Context) error {
	var errs []error
	for _, s := range st.servers {
		errs = append(errs, s.Shutdown(ctx))
	}
	for _, r := range st.roots {
		errs = append(errs, r.Close())
	}
	st.roots = nil
	return errors.Join(errs...)
}

// withDPoP adds the -dpop option to the page's configuration before hook.
func withDPoP(mode string, hook func(map[string]any)) func(map[string]any) {
	if mode == "" {
		return hook
	}
	return func(cfg map[string]any) {
		cfg["dpop"] = mode
		if hook != nil {
			hook(cfg)
		}
	}
}
