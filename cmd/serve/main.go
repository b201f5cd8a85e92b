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
	"os"
	"os/signal"
	"path/filepath"
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
	buildOnly, noBuild bool
	quiet              bool

	// Development provider.
	refreshMode string
	accessTTL   time.Duration

	// Client configuration handed to the page.
	storage                                 string
	refreshMargin                           time.Duration
	issuer, authEndpoint, tokenEndpoint     string
	logoutEndpoint, endSessionEndpoint, api string
	clientID, scope                         string
	refreshTokenLifetime                    string

	// configHook lets tests change the page's configuration.
	configHook func(cfg map[string]any)
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address of the demo site (loopback by default)")
	fs.StringVar(&o.idpAddr, "idp-addr", "127.0.0.1:0", "listen address of the development identity provider (0: any free port)")
	fs.StringVar(&o.web, "web", "", "site directory (default: web/ of the module)")
	fs.BoolVar(&o.buildOnly, "build", false, "build web/gopkce.wasm with its .br and .gz, print the sizes and exit")
	fs.BoolVar(&o.noBuild, "no-build", false, "do not rebuild a missing or stale web/gopkce.wasm")
	fs.BoolVar(&o.quiet, "quiet", false, "no access log")
	fs.StringVar(&o.refreshMode, "refresh-mode", "cognito", "development provider's refresh behaviour: cognito (no new refresh token) or rotating (new one each time, reuse revokes the grant)")
	fs.DurationVar(&o.accessTTL, "access-ttl", time.Hour, "development provider's access-token lifetime")
	fs.StringVar(&o.storage, "storage", "session", "token storage of the page: session, local or memory")
	fs.DurationVar(&o.refreshMargin, "refresh-margin", 60*time.Second, "refresh tokens this long before they expire")
	fs.StringVar(&o.issuer, "issuer", "", "real provider: issuer identifier")
	fs.StringVar(&o.authEndpoint, "authorization-endpoint", "", "real provider: authorization endpoint")
	fs.StringVar(&o.tokenEndpoint, "token-endpoint", "", "real provider: token endpoint")
	fs.StringVar(&o.logoutEndpoint, "logout-endpoint", "", "real provider: Cognito /logout endpoint")
	fs.StringVar(&o.endSessionEndpoint, "end-session-endpoint", "", "real provider: OpenID Connect end_session_endpoint")
	fs.StringVar(&o.clientID, "client-id", "", "real provider: public client id (no secret: there is none in a browser)")
	fs.StringVar(&o.scope, "scope", "", "real provider: scope (default for the development provider: openid email profile)")
	fs.StringVar(&o.refreshTokenLifetime, "refresh-token-lifetime", "cognito", `refresh-token lifetime: "cognito", "azure-b2c-spa" or seconds`)
	fs.StringVar(&o.api, "api", "", "real provider: URL of an API to call with the bearer token")
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
	if o.web == "" {
		o.web = filepath.Join(root, "web")
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
	root    *os.Root
	errc    chan error
}

// start listens and serves; it returns once both listeners are open.
func start(o options, stdout, stderr io.Writer) (*stack, error) {
	siteLn, err := net.Listen("tcp", o.addr)
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
	root, err := os.OpenRoot(o.web)
	if err != nil {
		return fail(err)
	}
	st.root = root
	ao := app.Options{
		SiteURL: st.siteURL,
		// os.Root refuses symlinks that leave the site directory.
		Assets: root.FS(),
		Provider: app.Provider{
			Issuer: o.issuer, AuthorizationEndpoint: o.authEndpoint, TokenEndpoint: o.tokenEndpoint,
			LogoutEndpoint: o.logoutEndpoint, EndSessionEndpoint: o.endSessionEndpoint,
			ClientID: o.clientID, Scope: o.scope, API: o.api,
		},
		Storage:              o.storage,
		RefreshMargin:        o.refreshMargin,
		RefreshTokenLifetime: o.refreshTokenLifetime,
		Compress:             build.Compress,
		Log:                  log,
		ConfigHook:           o.configHook,
	}
	if o.clientID == "" {
		idpLn, err := net.Listen("tcp", o.idpAddr)
		if err != nil {
			return fail(err)
		}
		issuer := "http://" + idpLn.Addr().String()
		idp, err := devidp.New(issuer, devidp.Options{
			RefreshMode:    devidp.RefreshMode(o.refreshMode),
			AccessTokenTTL: o.accessTTL,
			Clients: []devidp.Client{{
				ID:           app.DevClientID,
				RedirectURIs: []string{ao.RedirectURI()},
				LogoutURIs:   []string{ao.PostLogoutURI()},
			}},
		})
		if err != nil {
			idpLn.Close()
			return fail(err)
		}
		st.idp = idp
		ao.Provider = app.DevProvider(issuer)
		st.serve(idpLn, idp.Handler())
	}
	h, err := app.New(ao)
	if err != nil {
		return fail(err)
	}
	st.serve(siteLn, h)
	return st, nil
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
	if st.root != nil {
		errs = append(errs, st.root.Close())
		st.root = nil
	}
	return errors.Join(errs...)
}
