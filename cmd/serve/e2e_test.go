package main

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// TestE2E drives the real demo site, development provider and wasm in
// headless Chromium. Every case starts its own servers and browser profile.
func TestE2E(t *testing.T) {
	t.Run("full_flow", testFullFlow)
}

// 1. Start page, "Log in", provider login, callback, claims, /api/me with
// the bearer token, address bar clean, returnTo honoured.
func testFullFlow(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.login(ctx, "/?tab=claims", "alice@example.com")

	loc := eval[string](e, ctx, `location.href`)
	if loc != e.site+"/?tab=claims" {
		t.Fatalf("after login the page is %s, want %s/?tab=claims (returnTo, no code or state)", loc, e.site)
	}
	if got := e.text(ctx, `td[data-claim="email"]`); got != "alice@example.com" {
		t.Fatalf("email claim shown = %q", got)
	}
	if id := e.text(ctx, `td[data-claim="user_id"]`); !regexp.MustCompile(`^[0-9]{10}$`).MatchString(id) {
		t.Fatalf("user_id claim shown = %q, want a string of digits", id)
	}
	if kind := eval[string](e, ctx, `gopkce.getClaims().then(c => typeof c.user_id)`); kind != "string" {
		t.Fatalf("user_id is a %s, want the provider's string", kind)
	}
	if n := e.idp.TokenRequests("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges, want 1", n)
	}
	if n := e.pendingLogins(ctx); n != 0 {
		t.Fatalf("%d login states left in sessionStorage", n)
	}
	e.do(ctx, chromedp.Click(chromedp.ID("call-api")))
	e.do(ctx, chromedp.Poll[chromedp.Void](`document.getElementById("api-result").dataset.status`, chromedp.WithPollingInterval(20*time.Millisecond)))
	if status := eval[string](e, ctx, `document.getElementById("api-result").dataset.status`); status != "200" {
		t.Fatalf("/api/me answered %s: %s", status, e.text(ctx, "#api-result"))
	}
	if !strings.Contains(e.text(ctx, "#api-result"), `"username":"alice@example.com"`) {
		t.Fatalf("/api/me result: %s", e.text(ctx, "#api-result"))
	}
	if n := e.idp.APICalls(); n != 1 {
		t.Fatalf("%d authorised API calls, want 1", n)
	}
}

var _ = url.Parse
var _ = network.Enable
var _ = devidp.Cognito
var _ = context.Background
