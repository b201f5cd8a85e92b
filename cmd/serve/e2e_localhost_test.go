package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/browsertest"
)

// The demo opened as http://localhost:PORT/ signs in: the site sends the
// browser to 127.0.0.1, the origin of its redirect URI, before the login
// starts.
func testLocalhost(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	alias := strings.Replace(e.site, "127.0.0.1", "localhost", 1)
	e.do(ctx, chromedp.Navigate(alias+"/"))
	e.waitReady(ctx)
	e.clickLogin(ctx, "localhost-user")
	e.waitLoggedIn(ctx)
	if origin := browsertest.Eval[string](t, ctx, `location.origin`); origin != e.site {
		t.Fatalf("signed in on %s, want %s", origin, e.site)
	}
}

// A page whose redirect URI is on another origin is refused at
// startLogin, before the provider is visited, with an error that names
// both origins.
func testRedirectOriginMismatch(t *testing.T) {
	const other = "http://localhost:1"
	e := newE2E(t, e2eOptions{configHook: func(c map[string]any) { c["redirectUri"] = other + "/callback" }})
	ctx := e.browser
	e.do(ctx, chromedp.Navigate(e.site+"/"))
	e.waitReady(ctx)
	e.do(ctx, chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible))
	e.waitFor(ctx, `!document.getElementById("error").hidden`)
	e.wantError(ctx, "invalid_config")
	msg := e.text(ctx, "#error-message")
	for _, want := range []string{other, e.site, "redirectUri"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not name %s: %s", want, msg)
		}
	}
	if origin := browsertest.Eval[string](t, ctx, `location.origin`); origin != e.site {
		t.Fatalf("the browser left for %s after a refused startLogin", origin)
	}
}
