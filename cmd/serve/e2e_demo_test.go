package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/browsertest"
)

// The demo teaches the flow: a timeline of the authorization request (with
// the challenge, never the verifier), the callback, the exchange, each
// refresh and the logout, kept across reloads, with no token in it; a
// "signed out" message after logout; error cards that show the code once
// and can be dismissed.
func testDemoTimeline(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.open(ctx, "/")
	// Keep a copy of the login state the module stores, to learn the verifier.
	eval[chromedp.Void](e, ctx, `(() => {
		const orig = Storage.prototype.setItem;
		Storage.prototype.setItem = function (k, v) {
			if (this === sessionStorage && k.startsWith("gopkce:login:")) orig.call(this, "test:login-state", v);
			return orig.call(this, k, v);
		};
	})()`)
	e.clickLogin(ctx, "tina")
	e.waitLoggedIn(ctx)

	var state struct {
		Verifier string `json:"verifier"`
	}
	if err := json.Unmarshal([]byte(e.storage(ctx, "sessionStorage")["test:login-state"]), &state); err != nil || len(state.Verifier) < 43 {
		t.Fatalf("login state not captured: %v %+v", err, state)
	}
	sum := sha256.Sum256([]byte(state.Verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	steps := func() []string {
		return eval[[]string](e, ctx, `[...document.querySelectorAll("#events li")].reverse().map(li => li.dataset.step || li.dataset.type)`)
	}
	if got := strings.Join(steps(), " "); got != "authorize callback exchange" {
		t.Fatalf("timeline steps %q, want authorize callback exchange", got)
	}
	timeline := e.text(ctx, "#events")
	stored := e.storage(ctx, "sessionStorage")["gopkce-demo:timeline"]
	for _, want := range []string{"code_challenge" + challenge, "code_challenge_methodS256", "redirect_uri" + e.site + "/callback", "single use"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q: %s", want, timeline)
		}
	}
	tokens := e.tokens(ctx, "sessionStorage")
	for name, secret := range map[string]string{"verifier": state.Verifier, "access token": tokens["access_token"].(string), "refresh token": tokens["refresh_token"].(string)} {
		if strings.Contains(timeline, secret) || strings.Contains(stored, secret) || strings.Contains(e.text(ctx, "body"), secret) {
			t.Errorf("the page or its timeline shows the %s", name)
		}
	}
	if s := e.text(ctx, "#claims-source"); !strings.Contains(s, "ID token, verified") {
		t.Errorf("claims source: %q, want the verified ID token", s)
	}
	if s := e.text(ctx, "#session"); !strings.Contains(s, "sessionStorage") || !strings.Contains(s, "present, expires") {
		t.Errorf("session panel: %s", s)
	}
	if s := e.text(ctx, `td[data-claim="exp"]`); !strings.Contains(s, "(in ") || !strings.Contains(s, ":") {
		t.Errorf("exp shown as %q, want a readable time", s)
	}

	// The timeline survives a reload; a refresh is added.
	e.do(ctx, chromedp.Reload())
	e.waitLoggedIn(ctx)
	if n := len(steps()); n != 3 {
		t.Fatalf("%d timeline entries after reload, want 3", n)
	}
	e.do(ctx, chromedp.Click(chromedp.ID("refresh")))
	e.do(ctx, chromedp.Poll[chromedp.Void](`document.querySelector('#events li[data-step="refresh"]')`, chromedp.WithPollingTimeout(5*time.Second)))

	// Logout: recorded, then a "signed out" message back on the page.
	browsertest.ReadyAfter(t, ctx, chromedp.Click(chromedp.ID("logout")))
	e.do(ctx, chromedp.WaitVisible(chromedp.ID("logged-out")), chromedp.WaitVisible(chromedp.ID("notice")))
	if s := e.text(ctx, "#notice"); !strings.Contains(s, "signed out") {
		t.Fatalf("notice after logout: %q", s)
	}
	// In the order the user acted: the logout, then "Signed out".
	if got := steps(); len(got) < 5 || got[len(got)-2] != "logout" || got[len(got)-1] != "logged_out" {
		t.Fatalf("timeline after logout: %v", got)
	}
	e.do(ctx, chromedp.Reload())
	e.waitReady(ctx)
	if !eval[bool](e, ctx, `document.getElementById("notice").hidden`) {
		t.Fatal("the signed-out message shows again after a reload")
	}

	// An error card names its code once and can be dismissed.
	e.open(ctx, "/callback?code=abc&state=forged&iss="+url.QueryEscape(e.idp.Issuer()))
	e.wantError(ctx, "no_pending_login")
	if n := strings.Count(e.text(ctx, "#error"), "no_pending_login"); n != 1 {
		t.Fatalf("the error card shows its code %d times: %q", n, e.text(ctx, "#error"))
	}
	e.do(ctx, chromedp.Click(chromedp.ID("error-close")))
	if !eval[bool](e, ctx, `document.getElementById("error").hidden`) {
		t.Fatal("the error card stays after its close button")
	}
}

// The demo page asks for the module once per page load.
func testDemoOneModuleRequest(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.open(ctx, "/")
	e.wantOneModuleRequest(ctx)
	e.do(ctx, chromedp.Reload())
	e.waitReady(ctx)
	e.wantOneModuleRequest(ctx)
}
