//go:build js && wasm

// Command edge runs gopkce's demo site on Cloudflare Workers: the handler
// of cmd/internal/app, as cmd/serve runs it natively, behind
// workers.Serve. Configuration comes from the worker's bindings (see
// config.go), static files from its assets binding. Build it with
// `go run ./cmd/edge` (native), which writes build/app.wasm for
// worker.mjs; wrangler does that itself on `wrangler dev` and `deploy`.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

func main() {
	h, err := handler()
	if err != nil {
		// Visible in `wrangler tail` and the dashboard; the page gets a
		// plain 500. Messages name bindings, never their values' secrets.
		fmt.Fprintln(os.Stderr, err)
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "500 the worker is misconfigured (see its log)", http.StatusInternalServerError)
		})
	}
	// One Go program per isolate (worker.mjs): it serves every request the
	// isolate gets, so caches (assets, hashes, encodings) outlive one.
	workers.ServeNonBlock(h)
	workers.Ready()
	select {}
}

func handler() (http.Handler, error) {
	o, err := options(cloudflare.Getenv)
	if err != nil {
		return nil, err
	}
	assets := cloudflare.GetBinding("ASSETS")
	if assets.IsUndefined() {
		return nil, fmt.Errorf("edge: no ASSETS binding (wrangler.toml [assets])")
	}
	o.Assets = newAssetsFS(&http.Client{
		Transport: contextTransport{fetch.NewClient(fetch.WithBinding(assets)).HTTPClient(fetch.RedirectModeManual).Transport},
		// A redirect from the binding (an index.html rewrite) is not a file.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}, "https://assets.invalid")
	o.HTTPClient = &http.Client{
		Transport: contextTransport{fetch.NewClient().HTTPClient(fetch.RedirectModeManual).Transport},
		// The provider's redirects are not followed (RFC 6749 §5.2).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	o.Log = os.Stdout
	return app.New(o)
}
