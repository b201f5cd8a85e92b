package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/browsertest"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// TestE2E drives the real demo site, development provider and wasm in
// headless Chromium. Every case starts its own servers and browser profile.
func TestE2E(t *testing.T) {
	t.Run("full_flow", testFullFlow)
	t.Run("layout_desktop_and_phone", testLayout)
	t.Run("demo_timeline", testDemoTimeline)
	t.Run("demo_one_module_request", testDemoOneModuleRequest)
	t.Run("demo_repeat_visit", testDemoRepeatVisit)
	t.Run("module_read", testModuleRead)
	t.Run("demo_login_click", testDemoLoginClick)
	t.Run("refresh_cognito", func(t *testing.T) { testRefresh(t, devidp.Cognito) })
	t.Run("refresh_rotating", func(t *testing.T) { testRefresh(t, devidp.Rotating) })
	t.Run("concurrent_getToken", testConcurrentGetToken)
	t.Run("callback_state_mismatch", testCallbackStateMismatch)
	t.Run("callback_no_pending_login", testCallbackNoPendingLogin)
	t.Run("callback_reload_and_replay", testCallbackReloadAndReplay)
	t.Run("callback_error_html_description", testCallbackErrorHTML)
	t.Run("callback_iss_mismatch", testCallbackIssMismatch)
	t.Run("tampered_short_verifier", func(t *testing.T) {
		testTampered(t, `const v = JSON.parse(sessionStorage[k]); v.verifier = "short"; sessionStorage[k] = JSON.stringify(v);`)
	})
	t.Run("tampered_malformed_json", func(t *testing.T) {
		testTampered(t, `sessionStorage[k] = '{"v":1,"verifier":';`)
	})
	t.Run("tampered_rewritten_endpoint", func(t *testing.T) {
		testTampered(t, `const v = JSON.parse(sessionStorage[k]); v.token_endpoint = "https://evil.example/token"; v.redirect_uri = "https://evil.example/cb"; sessionStorage[k] = JSON.stringify(v);`)
	})
	t.Run("two_start_logins", testTwoStartLogins)
	t.Run("fault_500_html", func(t *testing.T) {
		testExchangeFault(t, devidp.FaultHTML500, "network_error", "status of 500")
	})
	t.Run("fault_200_html", func(t *testing.T) { testExchangeFault(t, devidp.FaultHTML200, "invalid_response") })
	t.Run("fault_truncated_json", func(t *testing.T) { testExchangeFault(t, devidp.FaultTruncatedJSON, "invalid_response") })
	t.Run("fault_lowercase_bearer", func(t *testing.T) { testExchangeFault(t, devidp.FaultLowercaseBearer, "") })
	t.Run("refresh_invalid_grant", testRefreshInvalidGrant)
	t.Run("refresh_network_failure", testRefreshNetworkFailure)
	t.Run("logout", testLogout)
	t.Run("fetch_retry_once", testFetchRetry)
	t.Run("fetch_unlisted_origin", testFetchUnlistedOrigin)
	t.Run("npm_vite_app", testNPMViteApp)
	t.Run("npm_webpack_app", testNPMWebpackApp)
	t.Run("localhost", testLocalhost)
	t.Run("redirect_origin_mismatch", testRedirectOriginMismatch)
	t.Run("readme_snippets", testREADMESnippets)
	t.Run("config_client_secret", func(t *testing.T) {
		testConfigRefused(t, func(c map[string]any) { c["clientSecret"] = "s3cr3t-value" }, "clientSecret")
	})
	t.Run("config_http_redirect", func(t *testing.T) {
		testConfigRefused(t, func(c map[string]any) { c["redirectUri"] = "http://app.example.com/callback" }, "redirectUri")
	})
	// Tokens across tabs and over time.
	t.Run("two_tabs_single_flight", testTwoTabsSingleFlight)
	t.Run("logout_other_tab", testLogoutOtherTab)
	t.Run("duplicated_tab", testDuplicatedTab)
	t.Run("reload_is_not_duplicate", testReloadIsNotDuplicate)
	t.Run("fastpath_expiry", testFastPathExpiry)
	t.Run("fastpath_logout_other_tab", testFastPathLogoutOtherTab)
	t.Run("fastpath_refresh_other_tab", testFastPathRefreshOtherTab)
	t.Run("fastpath_reconfigure", testFastPathReconfigure)
	t.Run("fastpath_cleared_session", testFastPathClearedSession)
	t.Run("fastpath_first_token", testFastPathFirstToken)
	t.Run("fastpath_token_set_changed", testFastPathTokenSetChanged)
	t.Run("fastpath_before_module", testBeforeModule)
	t.Run("refresh_token_lifetime", testRefreshTokenLifetime)
	t.Run("transient_retry", testTransientRetry)
	// The margin, one exchange per code, revocation on logout.
	t.Run("short_token_two_tabs", testShortTokenTwoTabs)
	t.Run("duplicated_tab_callback", testDuplicatedTabCallback)
	t.Run("dpop", testDPoP)
	t.Run("dpop_provider_without", testDPoPProviderWithout)
	t.Run("dpop_two_tabs", testDPoPTwoTabs)
	t.Run("dpop_duplicated_tab", testDPoPDuplicatedTab)
	t.Run("dpop_clock", testDPoPClock)
}

// Start page, "Log in", provider login, callback, claims, /api/me with
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
	if !strings.Contains(e.text(ctx, "#api-result"), `"username": "alice@example.com"`) {
		t.Fatalf("/api/me result: %s", e.text(ctx, "#api-result"))
	}
	if n := e.idp.APICalls(); n != 1 {
		t.Fatalf("%d authorised API calls, want 1", n)
	}
}

// startLoginURL starts a login without navigating and returns the
// authorization URL and its state.
func (e *e2e) startLoginURL(ctx context.Context, returnTo string) (string, string) {
	e.tb.Helper()
	r := e.call(ctx, `gopkce.startLogin({navigate: false, returnTo: `+jsString(returnTo)+`})`)
	if r.Code != "" {
		e.tb.Fatalf("startLogin: %s %s", r.Code, r.Message)
	}
	var u string
	if err := json.Unmarshal(r.OK, &u); err != nil {
		e.tb.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		e.tb.Fatal(err)
	}
	return u, pu.Query().Get("state")
}

// providerLogin goes to an authorization URL and signs in on the
// provider's page; the browser comes back to the callback.
func (e *e2e) providerLogin(ctx context.Context, authURL, user string) {
	e.tb.Helper()
	e.do(ctx,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
	)
	e.waitReady(ctx)
}

func (e *e2e) open(ctx context.Context, path string) string {
	e.tb.Helper()
	e.do(ctx, chromedp.Navigate(e.site+path))
	return e.waitReady(ctx)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (e *e2e) wantError(ctx context.Context, code string) string {
	e.tb.Helper()
	got, desc := e.shownError(ctx)
	if got != code {
		e.tb.Fatalf("page shows error %q (%s), want %q", got, e.text(ctx, "#error-message"), code)
	}
	return desc
}

func (e *e2e) accessToken(ctx context.Context) string {
	e.tb.Helper()
	ts := e.tokens(ctx, "sessionStorage")
	if ts == nil {
		e.tb.Fatal("no tokens stored")
	}
	return ts["access_token"].(string)
}

// Refresh after expiry in both provider modes; the countdown follows.
func testRefresh(t *testing.T, mode devidp.RefreshMode) {
	e := newE2E(t, e2eOptions{refreshMode: mode, accessTTL: 4 * time.Second, refreshMargin: 3 * time.Second})
	ctx := e.browser
	e.login(ctx, "/", "carol")
	before := e.tokens(ctx, "sessionStorage")
	// The 3 s margin is capped at half the 4 s lifetime: stale after 2 s.
	time.Sleep(2200 * time.Millisecond)
	secs := eval[int](e, ctx, `Number(document.getElementById("countdown").dataset.seconds)`)
	if secs > 2 {
		t.Fatalf("countdown shows %d s after 2.2 s of a 4 s token", secs)
	}
	r := e.call(ctx, `gopkce.getToken()`)
	if r.Code != "" {
		t.Fatalf("getToken: %s %s", r.Code, r.Message)
	}
	after := e.tokens(ctx, "sessionStorage")
	if after["access_token"] == before["access_token"] || string(r.OK) != jsString(after["access_token"].(string)) {
		t.Fatal("getToken did not return a refreshed access token")
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests, want 1", n)
	}
	switch mode {
	case devidp.Cognito:
		if after["refresh_token"] != before["refresh_token"] {
			t.Fatal("cognito: the refresh token changed although the response had none")
		}
	case devidp.Rotating:
		if after["refresh_token"] == before["refresh_token"] {
			t.Fatal("rotating: the new refresh token was not stored")
		}
	}
	if !e.idp.RefreshTokenValid(after["refresh_token"].(string)) {
		t.Fatal("the stored refresh token is not valid at the provider")
	}
	// The page heard tokens_changed and its countdown restarted.
	e.do(ctx, chromedp.Poll[chromedp.Void](`Number(document.getElementById("countdown").dataset.seconds) >= 4`, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(5*time.Second)))
	time.Sleep(1100 * time.Millisecond)
	if s := eval[int](e, ctx, `Number(document.getElementById("countdown").dataset.seconds)`); s >= 4 {
		t.Fatalf("countdown stuck at %d", s)
	}
}

// Twenty concurrent getToken calls on an expired token: one refresh,
// twenty identical tokens, and the rotating grant still alive.
func testConcurrentGetToken(t *testing.T) {
	e := newE2E(t, e2eOptions{refreshMode: devidp.Rotating, accessTTL: 4 * time.Second, refreshMargin: 3 * time.Second})
	ctx := e.browser
	e.login(ctx, "/", "dave")
	old := e.accessToken(ctx)
	time.Sleep(2200 * time.Millisecond) // past half the 4 s lifetime, which caps the margin
	toks := eval[[]string](e, ctx, `Promise.all(Array.from({length: 20}, () => gopkce.getToken()))`)
	if len(toks) != 20 {
		t.Fatalf("%d results", len(toks))
	}
	for i, tok := range toks {
		if tok != toks[0] || tok == old {
			t.Fatalf("call %d got a different or stale token", i)
		}
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests for 20 concurrent calls, want 1", n)
	}
	rt := e.tokens(ctx, "sessionStorage")["refresh_token"].(string)
	if !e.idp.RefreshTokenValid(rt) {
		t.Fatal("the grant was revoked: a used refresh token went out twice")
	}
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "" {
		t.Fatalf("session dead after the concurrent refresh: %s", r.Code)
	}
}

// A forged state is refused; nothing is exchanged; storage is clean.
func testCallbackStateMismatch(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.open(ctx, "/")
	e.startLoginURL(ctx, "/")
	e.open(ctx, "/callback?code=stolen&state=forged&iss="+url.QueryEscape(e.idp.Issuer()))
	e.wantError(ctx, "state_mismatch")
	e.checkNoExchangeAndClean(ctx)
}

func (e *e2e) checkNoExchangeAndClean(ctx context.Context) {
	e.tb.Helper()
	if n := e.idp.TokenRequests("authorization_code"); n != 0 {
		e.tb.Fatalf("%d token requests, want none", n)
	}
	if n := e.pendingLogins(ctx); n != 0 {
		e.tb.Fatalf("%d login states left", n)
	}
	if loc := eval[string](e, ctx, `location.href`); strings.Contains(loc, "code=") || strings.Contains(loc, "state=") {
		e.tb.Fatalf("address bar still holds the response: %s", loc)
	}
	if e.tokens(ctx, "sessionStorage") != nil {
		e.tb.Fatal("tokens stored")
	}
}

// A fresh tab opened on a callback URL: no pending login.
func testCallbackNoPendingLogin(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	e.open(e.browser, "/")
	e.startLoginURL(e.browser, "/") // a login pending in the first tab only
	tab := e.NewTab("tab2")
	e.open(tab, "/callback?code=abc&state=xyz&iss="+url.QueryEscape(e.idp.Issuer()))
	e.wantError(tab, "no_pending_login")
	e.checkNoExchangeAndClean(tab)
	if n := e.pendingLogins(e.browser); n != 1 {
		t.Fatalf("the first tab's pending login was touched (%d)", n)
	}
}

// Reload after success, and the callback URL replayed: no second
// exchange, and the session survives.
func testCallbackReloadAndReplay(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.login(ctx, "/", "erin")
	callback := eval[string](e, ctx, `performance.getEntriesByType("navigation")[0].name`)
	if !strings.Contains(callback, "/callback?") || !strings.Contains(callback, "code=") {
		t.Fatalf("navigation entry %q is not the callback", callback)
	}
	e.do(ctx, chromedp.Reload())
	e.waitLoggedIn(ctx)
	e.open(ctx, strings.TrimPrefix(callback, e.site))
	e.wantError(ctx, "no_pending_login")
	if n := e.idp.TokenRequests("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges after reload and replay, want 1", n)
	}
	if e.tokens(ctx, "sessionStorage") == nil {
		t.Fatal("a replayed callback destroyed the session")
	}
}

// An error redirect with HTML in error_description: shown as text,
// nothing executed.
func testCallbackErrorHTML(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.open(ctx, "/")
	_, state := e.startLoginURL(ctx, "/")
	payload := `<img src=x onerror="document.body.dataset.pwned='1'">`
	e.open(ctx, "/callback?error=access_denied&error_description="+url.QueryEscape(payload)+
		"&error_uri="+url.QueryEscape("javascript:alert(1)")+"&state="+state+"&iss="+url.QueryEscape(e.idp.Issuer()))
	if desc := e.wantError(ctx, "access_denied"); desc != payload {
		t.Fatalf("description shown = %q, want the text %q", desc, payload)
	}
	if n := eval[int](e, ctx, `document.querySelectorAll("#error img, #error a").length`); n != 0 {
		t.Fatal("the description was rendered as HTML")
	}
	if eval[bool](e, ctx, `document.body.dataset.pwned === "1"`) {
		t.Fatal("the payload ran")
	}
	e.checkNoExchangeAndClean(ctx)
}

// The iss parameter differs from the issuer the login was sent to (RFC 9207).
func testCallbackIssMismatch(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.open(ctx, "/")
	_, state := e.startLoginURL(ctx, "/")
	e.open(ctx, "/callback?code=abc&state="+state+"&iss="+url.QueryEscape("https://evil.example"))
	e.wantError(ctx, "issuer_mismatch")
	e.checkNoExchangeAndClean(ctx)
}

// Stored login state tampered with between startLogin and the real
// provider's redirect back: a clear error, no token request, storage clean.
func testTampered(t *testing.T, tamper string) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.open(ctx, "/")
	authURL, _ := e.startLoginURL(ctx, "/")
	eval[chromedp.Void](e, ctx, `(() => { const k = Object.keys(sessionStorage).find(k => k.startsWith("gopkce:login:")); `+tamper+` })()`)
	e.providerLogin(ctx, authURL, "mallory")
	e.wantError(ctx, "invalid_login_state")
	e.checkNoExchangeAndClean(ctx)
}

// Two startLogin calls before one callback: the state that comes back
// completes, the other is refused.
func testTwoStartLogins(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.open(ctx, "/")
	first, _ := e.startLoginURL(ctx, "/?first")
	e.login(ctx, "/", "frank") // the second login, through the button
	if loc := eval[string](e, ctx, `location.href`); loc != e.site+"/" {
		t.Fatalf("second login returned to %s", loc)
	}
	e.providerLogin(ctx, first, "frank")
	e.wantError(ctx, "no_pending_login")
	if n := e.idp.TokenRequests("authorization_code"); n != 1 {
		t.Fatalf("%d exchanges, want 1", n)
	}
}

// Faults on the code exchange.
func testExchangeFault(t *testing.T, f devidp.FaultKind, code string, console ...string) {
	e := newE2E(t, e2eOptions{})
	e.Expect(console...)
	ctx := e.browser
	e.idp.InjectFaults(devidp.Fault{Kind: f})
	e.open(ctx, "/")
	e.clickLogin(ctx, "grace")
	e.waitReady(ctx)
	if code == "" {
		e.waitLoggedIn(ctx)
		if tt := e.tokens(ctx, "sessionStorage")["token_type"]; tt != "Bearer" {
			t.Fatalf("token_type stored as %v", tt)
		}
		return
	}
	e.wantError(ctx, code)
	if e.tokens(ctx, "sessionStorage") != nil || e.pendingLogins(ctx) != 0 {
		t.Fatal("storage not clean after a failed exchange")
	}
	if n := e.idp.TokenRequests("authorization_code"); n != 1 {
		t.Fatalf("%d exchanges, want 1 (a code is never retried)", n)
	}
}

// An invalid_grant on refresh: login required, tokens gone, no loop.
func testRefreshInvalidGrant(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	e.Expect("status of 400")
	ctx := e.browser
	e.login(ctx, "/", "heidi")
	e.idp.InjectFaults(devidp.Fault{Kind: devidp.FaultInvalidGrant})
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "login_required" {
		t.Fatalf("getToken: %q %s, want login_required", r.Code, r.Message)
	}
	if e.tokens(ctx, "sessionStorage") != nil {
		t.Fatal("tokens kept after invalid_grant")
	}
	if r := e.call(ctx, `gopkce.getToken()`); r.Code != "login_required" {
		t.Fatalf("second getToken: %q", r.Code)
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests, want 1", n)
	}
	e.do(ctx, chromedp.WaitVisible(chromedp.ID("logged-out")))
}

// A network failure on refresh: reported, refresh token kept, and the
// next getToken succeeds.
func testRefreshNetworkFailure(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	e.Expect("net::ERR_")
	ctx := e.browser
	e.login(ctx, "/", "ivan")
	before := e.tokens(ctx, "sessionStorage")
	// Chromium silently retries a request whose reused connection dies, so
	// queue enough drops for every attempt of the bounded retry and its
	// transparent retries, and clear the rest afterwards.
	drop := devidp.Fault{Kind: devidp.FaultDropConnection}
	e.idp.InjectFaults(drop, drop, drop, drop, drop, drop, drop)
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "network_error" {
		t.Fatalf("getToken: %q %s, want network_error", r.Code, r.Message)
	}
	e.idp.ClearFaults()
	if n := e.idp.TokenRequests("refresh_token"); n < 3 {
		t.Fatalf("%d refresh attempts reached the provider, want at least 3 (bounded retry)", n)
	}
	after := e.tokens(ctx, "sessionStorage")
	if after == nil || after["refresh_token"] != before["refresh_token"] {
		t.Fatal("the refresh token was lost on a network failure")
	}
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "" {
		t.Fatalf("next getToken: %s %s", r.Code, r.Message)
	}
	if ok := e.idp.TokenSuccesses("refresh_token"); ok != 1 {
		t.Fatalf("%d successful refreshes, want 1", ok)
	}
}

// Logout: tokens gone, the provider's /logout visited with client_id and
// logout_uri, back on the site logged out.
func testLogout(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	e.login(ctx, "/", "judy")
	rt, _ := e.tokens(ctx, "sessionStorage")["refresh_token"].(string)
	if !e.idp.RefreshTokenValid(rt) {
		t.Fatal("no valid refresh token before logout")
	}
	browsertest.ReadyAfter(t, ctx, chromedp.Click(chromedp.ID("logout")))
	e.do(ctx, chromedp.WaitVisible(chromedp.ID("logged-out")))
	if loc := eval[string](e, ctx, `location.href`); loc != e.site+"/" {
		t.Fatalf("after logout the page is %s", loc)
	}
	if e.tokens(ctx, "sessionStorage") != nil {
		t.Fatal("tokens kept after logout")
	}
	visits := e.idp.LogoutVisits()
	if len(visits) != 1 || visits[0].Get("client_id") != "gopkce-demo" || visits[0].Get("logout_uri") != e.site+"/" {
		t.Fatalf("provider logout visits: %v", visits)
	}
	// The grant ended at the provider too: logout revoked the refresh
	// token at the revocation endpoint (RFC 7009) before navigating.
	if e.idp.RefreshTokenValid(rt) {
		t.Fatal("the refresh token still works after logout")
	}
}

// Configuration refusals surface on the page.
func testConfigRefused(t *testing.T, hook func(map[string]any), field string) {
	e := newE2E(t, e2eOptions{configHook: hook})
	ctx := e.browser
	if got := e.open(ctx, "/"); got != "config-error" {
		t.Fatalf("page state %q, want config-error", got)
	}
	e.wantError(ctx, "invalid_config")
	msg := e.text(ctx, "#error-message")
	if !strings.Contains(msg, field) || strings.Contains(msg, "s3cr3t") {
		t.Fatalf("message %q must name %s and not echo a secret", msg, field)
	}
}

// The demo and the provider's login page fit a desktop and a 375 px phone
// before and after a login as a user with a 60-character e-mail address:
// nothing sticks out of the window, and no text needs a horizontal scroll
// bar (long names and e-mails wrap). With GOPKCE_SCREENSHOTS=dir it saves
// screenshots.
func testLayout(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	dir := os.Getenv("GOPKCE_SCREENSHOTS")
	const email = "maria-alexandra.vandenberg-oppenheimer@research1.example.com"
	if len(email) != 60 {
		t.Fatalf("the e-mail has %d characters", len(email))
	}
	// overflow lists the elements that stick out of the window or scroll
	// sideways.
	const overflow = `(() => {
		const out = [];
		if (document.documentElement.scrollWidth > window.innerWidth) out.push("page: " + document.documentElement.scrollWidth + " px wide");
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || getComputedStyle(el).visibility === "hidden") continue;
			const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
			if (r.right > window.innerWidth + 1) out.push(name + " ends at " + Math.round(r.right));
			if (el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(el).overflowX)) out.push(name + " scrolls sideways");
		}
		return out;
	})()`
	check := func(name string) {
		for _, w := range []struct {
			label         string
			width, height int64
		}{{"desktop", 1280, 800}, {"phone", 375, 740}} {
			e.do(ctx, chromedp.EmulateViewport(w.width, w.height))
			time.Sleep(100 * time.Millisecond)
			if over := eval[[]string](e, ctx, overflow); len(over) > 0 {
				t.Errorf("%s at %s width overflows: %v", name, w.label, over)
			}
			if dir != "" {
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(dir, name+"-"+w.label+".png"), png, 0o644)
			}
		}
		e.do(ctx, chromedp.EmulateViewport(1280, 800))
	}
	e.open(ctx, "/")
	check("before-login")
	e.do(ctx, chromedp.Click(chromedp.ID("login"), chromedp.NodeVisible), chromedp.WaitVisible(chromedp.ID("username")))
	check("provider-login")
	e.do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), email),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
	)
	e.waitLoggedIn(ctx)
	if who := e.text(ctx, "#who"); who != email {
		t.Fatalf("signed in as %q", who)
	}
	e.do(ctx, chromedp.Click(chromedp.ID("call-api")))
	e.do(ctx, chromedp.Poll[chromedp.Void](`document.getElementById("api-result").dataset.status`, chromedp.WithPollingInterval(20*time.Millisecond)))
	check("after-login")
	if dir != "" {
		// The README's pictures: the top of the page, as a window shows it.
		for _, w := range []struct {
			name          string
			width, height int64
			scroll        string
		}{{"demo-desktop.jpg", 1000, 900, "0"}, {"demo-timeline.jpg", 1000, 760, `document.getElementById("events").parentElement.offsetTop - 8`}, {"demo-phone.jpg", 375, 812, "0"}} {
			e.do(ctx, chromedp.EmulateViewport(w.width, w.height))
			eval[chromedp.Void](e, ctx, `window.scrollTo(0, `+w.scroll+`)`)
			time.Sleep(200 * time.Millisecond)
			jpg, err := chromedp.Run(ctx, viewportJPEG(70))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, w.name), jpg, 0o644)
		}
	}
}

// viewportJPEG captures what the window shows, as JPEG.
func viewportJPEG(quality int64) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatJpeg, Quality: &quality})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}
