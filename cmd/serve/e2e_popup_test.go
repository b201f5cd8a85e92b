package main

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// TestE2EPopup drives popup login, per-call authorization parameters,
// step-up (RFC 9470) and userinfo in headless Chromium, against the
// development provider sending Cross-Origin-Opener-Policy: same-origin on
// its pages, as Microsoft's do. Every case starts its own servers and
// browser profile.
func TestE2EPopup(t *testing.T) {
	t.Run("coop_provider_state_survives", testPopupCOOP)
	t.Run("while_module_loading", testPopupWhileLoading)
	t.Run("blocked", testPopupBlocked)
	t.Run("closed_before_provider", testPopupClosedEarly)
	t.Run("closed_at_provider_timeout_and_replaced", testPopupTimeout)
	t.Run("parameters_and_checks", testPopupParameters)
	t.Run("step_up", testStepUp)
	t.Run("userinfo", testUserInfo)
}

// armJS installs, in the page, a button #t-run whose click calls
// window.__fn (set through the DevTools protocol: the page's CSP forbids
// eval) and keeps its outcome in window.__r
// ({ok} or {code, check, message}), and a window.open wrapper that keeps
// the last window it returned in window.__pw.
const armJS = `(() => {
	if (!window.__armed) {
		window.__armed = true;
		const open = window.open;
		window.open = function () { const w = open.apply(this, arguments); window.__pw = w; return w; };
		const b = document.createElement("button");
		b.id = "t-run";
		b.textContent = "run";
		b.style.cssText = "position:fixed;top:0;left:0;z-index:99";
		b.onclick = () => {
			let p;
			try { p = Promise.resolve(window.__fn()); } catch (err) { p = Promise.reject(err); }
			window.__r = p.then(
				(ok) => ({ ok: ok === undefined ? null : ok }),
				(err) => ({ code: err.code || "error", check: err.check || "", message: String(err.message) }));
		};
		document.body.prepend(b);
	}
	return true;
})()`

type popupResult struct {
	OK      any    `json:"ok"`
	Code    string `json:"code"`
	Check   string `json:"check"`
	Message string `json:"message"`
}

// runFromClick clicks #t-run, which calls expr in the click's task (a user
// gesture, as a popup needs), and returns at once. expr must call the
// popup function synchronously (no await before it).
func (e *e2e) runFromClick(ctx context.Context, expr string) {
	e.tb.Helper()
	eval[bool](e, ctx, armJS)
	eval[bool](e, ctx, `(window.__r = undefined, window.__fn = () => (`+expr+`), true)`)
	e.do(ctx, chromedp.Click(chromedp.ID("t-run")))
}

// result awaits the outcome of the last runFromClick.
func (e *e2e) result(ctx context.Context) popupResult {
	e.tb.Helper()
	return eval[popupResult](e, ctx, `window.__r`)
}

// clickForPopup clicks the element css (a click: a user gesture) and
// returns the popup it opens, attached as a tab, and its target id.
func (e *e2e) clickForPopup(ctx context.Context, click func()) (context.Context, target.ID) {
	e.tb.Helper()
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ch := chromedp.WaitNewTarget(wctx, func(i *target.Info) bool { return i.Type == "page" })
	click()
	var id target.ID
	select {
	case got, ok := <-ch:
		if !ok {
			e.tb.Fatal("no popup opened")
		}
		id = got
	case <-wctx.Done():
		e.tb.Fatal("no popup opened within 15 s")
	}
	// Attaching fails when the popup navigates meanwhile (from blank to
	// the provider): then again. A provider page that sends
	// Cross-Origin-Opener-Policy moves the popup to a new browsing context
	// group, under a new target: then the page target at the provider is
	// the popup. Detached, not closed, on a failure.
	for attempt := 1; ; attempt++ {
		p, pcancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel())
		err := chromedp.Do(p)
		if err == nil {
			e.tb.Cleanup(pcancel)
			return p, id
		}
		pcancel()
		if attempt == 20 {
			e.tb.Fatalf("attaching to the popup: %v", err)
		}
		if infos, terr := chromedp.Targets(ctx); terr == nil {
			for _, i := range infos {
				if i.Type == "page" && i.TargetID != id && strings.HasPrefix(i.URL, e.idp.Issuer()) {
					id = i.TargetID
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// popupRun is runFromClick that returns the popup it opened.
func (e *e2e) popupRun(ctx context.Context, expr string) (context.Context, target.ID) {
	e.tb.Helper()
	eval[bool](e, ctx, armJS)
	return e.clickForPopup(ctx, func() { e.runFromClick(ctx, expr) })
}

// signInPopup signs in on the provider's page in the popup p: user (""
// keeps the prefilled name), and the acr the sign-in reaches when acr is
// not nil.
func (e *e2e) signInPopup(p context.Context, user string, acr *string) {
	e.tb.Helper()
	e.do(p, chromedp.WaitVisible(chromedp.ID("username")))
	if user != "" {
		eval[bool](e, p, `(document.getElementById("username").value = `+jsString(user)+`, true)`)
	}
	if acr != nil {
		eval[bool](e, p, `(document.getElementById("acr").value = `+jsString(*acr)+`, true)`)
	}
	e.do(p, chromedp.Click(chromedp.CSS(`button[value="login"]`)))
}

// waitTargetGone waits until the target id is closed.
func (e *e2e) waitTargetGone(ctx context.Context, id target.ID) {
	e.tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			e.tb.Fatal(err)
		}
		if !slices.ContainsFunc(infos, func(i *target.Info) bool { return i.TargetID == id }) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.tb.Fatal("the popup is still open")
}

func (e *e2e) closeTarget(ctx context.Context, id target.ID) {
	e.tb.Helper()
	e.do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, target.CloseTarget, target.CloseTargetParams{TargetID: id})
		return err
	}))
	e.waitTargetGone(ctx, id)
}

// holdModule makes the tab ctx's requests for gopkce.wasm wait until the
// returned function is called: the page runs with the module still loading.
func (e *e2e) holdModule(ctx context.Context) (release func()) {
	e.tb.Helper()
	var mu sync.Mutex
	var held []fetch.RequestID
	released := false
	tgt := chromedp.FromContext(ctx).Target
	err := chromedp.Listen(ctx, func(ev any) {
		if p, ok := ev.(*fetch.EventRequestPaused); ok {
			mu.Lock()
			defer mu.Unlock()
			if released {
				go cdp.Call(ctx, tgt, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: p.RequestID})
				return
			}
			held = append(held, p.RequestID)
		}
	})
	if err != nil {
		e.tb.Fatal(err)
	}
	e.do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/gopkce*.wasm*"}}})
		return err
	}))
	return func() {
		mu.Lock()
		ids := held
		released = true
		mu.Unlock()
		if len(ids) == 0 {
			e.tb.Fatal("the module was never requested")
		}
		for _, id := range ids {
			e.do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
				return err
			}))
		}
	}
}

func newPopupE2E(t *testing.T) (*e2e, context.Context) {
	e := newE2E(t, e2eOptions{})
	e.idp.SetPageCOOP(true)
	return e, e.browser
}

// The demo's "Sign in with a popup" with the provider's page sending COOP
// same-origin: the popup is severed from the page (popup.closed reads true
// while it is open), yet the login completes, the page keeps its in-memory
// state and never navigates, and the popup closes itself.
func testPopupCOOP(t *testing.T) {
	e, tab := newPopupE2E(t)
	e.open(tab, "/")
	eval[bool](e, tab, armJS)
	eval[bool](e, tab, `(window.__kept = "half-filled form", true)`)
	p, id := e.clickForPopup(tab, func() { e.do(tab, chromedp.Click(chromedp.ID("popup-login"), chromedp.NodeVisible)) })
	e.do(p, chromedp.WaitVisible(chromedp.ID("username")))
	if !eval[bool](e, tab, `window.__pw.closed`) {
		t.Fatal("the popup at the provider is reachable: COOP did not sever it, the test proves nothing")
	}
	time.Sleep(600 * time.Millisecond) // a few of the loader's closed polls
	e.signInPopup(p, "pia", nil)
	e.do(tab, chromedp.WaitVisible(chromedp.ID("logged-in")))
	if got := eval[string](e, tab, `window.__kept + " " + location.pathname`); got != "half-filled form /" {
		t.Fatalf("the page lost its state or navigated: %q", got)
	}
	if who := e.text(tab, "#who"); !strings.Contains(who, "pia") {
		t.Fatalf("signed in as %q", who)
	}
	if n := e.pendingLogins(tab); n != 0 {
		t.Fatalf("%d pending logins left", n)
	}
	e.waitTargetGone(tab, id) // window.close() in the severed popup worked
	if !eval[bool](e, tab, `!!document.querySelector('#events li[data-type="popup"]')`) {
		t.Fatal("the timeline does not record the popup login")
	}
}

// A click while the module is still loading (gopkce.wasm held back) opens
// the popup at once, blank; it goes to the provider when the module runs.
func testPopupWhileLoading(t *testing.T) {
	e, tab := newPopupE2E(t)
	release := e.holdModule(tab)
	e.do(tab, chromedp.Navigate(e.site+"/"))
	browsertestPoll(e, tab, `typeof gopkce === "object" && document.readyState === "complete"`)
	p, _ := e.popupRun(tab, `gopkce.loginWithPopup({ loginHint: "lou" })`)
	if got := eval[string](e, tab, `(document.body.dataset.ready || "loading") + " " + window.__pw.location.href`); got != "loading about:blank" {
		t.Fatalf("before the module ran: %q", got)
	}
	release()
	e.do(p, chromedp.WaitVisible(chromedp.ID("username")))
	if v := eval[string](e, p, `document.getElementById("username").value`); v != "lou" {
		t.Fatalf("login_hint did not prefill the user name: %q", v)
	}
	e.signInPopup(p, "", nil)
	if r := e.result(tab); r.Code != "" {
		t.Fatalf("popup login: %s %s", r.Code, r.Message)
	}
	if email := eval[string](e, tab, `gopkce.getClaims().then(c => c.email)`); email != "lou@example.com" {
		t.Fatalf("claims email %q", email)
	}
	if n := e.pendingLogins(tab); n != 0 {
		t.Fatalf("%d pending logins left", n)
	}
}

func browsertestPoll(e *e2e, ctx context.Context, expr string) {
	e.tb.Helper()
	ctx2, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx2, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		e.tb.Fatalf("never true: %s: %v", expr, err)
	}
}

// window.open returning null (a popup blocker): popup_blocked, nothing
// stored, nothing sent to the provider.
func testPopupBlocked(t *testing.T) {
	e, tab := newPopupE2E(t)
	e.open(tab, "/")
	eval[bool](e, tab, `(window.open = () => null, true)`)
	e.runFromClick(tab, `gopkce.loginWithPopup()`)
	if r := e.result(tab); r.Code != "popup_blocked" {
		t.Fatalf("got %+v, want popup_blocked", r)
	}
	time.Sleep(300 * time.Millisecond)
	if n := e.pendingLogins(tab); n != 0 {
		t.Fatalf("%d pending logins left", n)
	}
	if n := len(e.idp.AuthorizeRequests()); n != 0 {
		t.Fatalf("%d authorization requests", n)
	}
}

// The user closes the popup while it is still blank (the module loading):
// popup_closed, and the login the module starts afterwards is dropped.
func testPopupClosedEarly(t *testing.T) {
	e, tab := newPopupE2E(t)
	release := e.holdModule(tab)
	e.do(tab, chromedp.Navigate(e.site+"/"))
	browsertestPoll(e, tab, `typeof gopkce === "object" && document.readyState === "complete"`)
	_, id := e.popupRun(tab, `gopkce.loginWithPopup()`)
	e.closeTarget(tab, id)
	if r := e.result(tab); r.Code != "popup_closed" {
		t.Fatalf("got %+v, want popup_closed", r)
	}
	release()
	if got := e.waitReady(tab); got != "true" {
		t.Fatalf("page ready %q", got)
	}
	time.Sleep(500 * time.Millisecond)
	if n := e.pendingLogins(tab); n != 0 {
		t.Fatalf("%d pending logins left", n)
	}
}

// A popup at the provider, severed by COOP, reads as closed: the user
// closing it there is seen only at the timeout (popup_timeout). A second
// call while it is open replaces it: the first ends with popup_closed.
func testPopupTimeout(t *testing.T) {
	e, tab := newPopupE2E(t)
	e.open(tab, "/")
	p, id := e.popupRun(tab, `gopkce.loginWithPopup({ timeoutSeconds: 3 })`)
	e.do(p, chromedp.WaitVisible(chromedp.ID("username")))
	e.closeTarget(tab, id)
	start := time.Now()
	if r := e.result(tab); r.Code != "popup_timeout" {
		t.Fatalf("got %+v, want popup_timeout", r)
	}
	if waited := time.Since(start); waited < 1500*time.Millisecond {
		t.Fatalf("popup_timeout after %v only", waited)
	}
	if n := e.pendingLogins(tab); n != 0 {
		t.Fatalf("%d pending logins left", n)
	}

	// Replaced: the first call ends popup_closed, the second completes.
	p1, _ := e.popupRun(tab, `gopkce.loginWithPopup()`)
	e.do(p1, chromedp.WaitVisible(chromedp.ID("username")))
	eval[bool](e, tab, `(window.__first = window.__r, true)`)
	p2, _ := e.popupRun(tab, `gopkce.loginWithPopup()`)
	if r := eval[popupResult](e, tab, `window.__first`); r.Code != "popup_closed" {
		t.Fatalf("the replaced login: %+v, want popup_closed", r)
	}
	e.signInPopup(p2, "ray", nil)
	if r := e.result(tab); r.Code != "" {
		t.Fatalf("the second popup login: %+v", r)
	}
	if n := e.pendingLogins(tab); n != 0 {
		t.Fatalf("%d pending logins left", n)
	}
}

// prompt, loginHint, maxAge and acrValues reach the provider; acr and
// auth_time come back in the claims; an essential acr not reached, and an
// auth_time older than maxAge, are refused and leave the session as it was.
func testPopupParameters(t *testing.T) {
	e, tab := newPopupE2E(t)
	e.open(tab, "/")
	p, _ := e.popupRun(tab, `gopkce.loginWithPopup({ prompt: "login", loginHint: "mo", maxAge: 600, acrValues: "`+devidp.StrongACR+`", acrEssential: true })`)
	e.do(p, chromedp.WaitVisible(chromedp.ID("username")))
	if v := eval[string](e, p, `document.getElementById("acr").value`); v != devidp.StrongACR {
		t.Fatalf("acr field %q", v)
	}
	e.signInPopup(p, "", nil)
	if r := e.result(tab); r.Code != "" {
		t.Fatalf("popup login: %+v", r)
	}
	reqs := e.idp.AuthorizeRequests()
	q := reqs[len(reqs)-1]
	for k, want := range map[string]string{"prompt": "login", "login_hint": "mo", "max_age": "600", "acr_values": devidp.StrongACR} {
		if got := q.Get(k); got != want {
			t.Errorf("authorization request %s=%q, want %q", k, got, want)
		}
	}
	claims := eval[map[string]any](e, tab, `gopkce.getClaims()`)
	if claims["acr"] != devidp.StrongACR || claims["auth_time"] == nil {
		t.Fatalf("claims acr %v auth_time %v", claims["acr"], claims["auth_time"])
	}
	before := e.accessToken(tab)

	// The user reaches no acr, the call said it is essential.
	p, _ = e.popupRun(tab, `gopkce.loginWithPopup({ acrValues: "`+devidp.StrongACR+`", acrEssential: true })`)
	none := ""
	e.signInPopup(p, "mo", &none)
	if r := e.result(tab); r.Code != "invalid_id_token" || r.Check != "acr" {
		t.Fatalf("acr not reached: %+v, want invalid_id_token/acr", r)
	}
	// A provider that ignored max_age: auth_time two hours back.
	e.idp.ForgeAuthTime(2 * time.Hour)
	p, _ = e.popupRun(tab, `gopkce.loginWithPopup({ maxAge: 60 })`)
	e.signInPopup(p, "mo", nil)
	if r := e.result(tab); r.Code != "invalid_id_token" || r.Check != "auth_time" {
		t.Fatalf("forged auth_time: %+v, want invalid_id_token/auth_time", r)
	}
	if after := e.accessToken(tab); after != before {
		t.Fatal("a refused login replaced the session")
	}
	if n := e.pendingLogins(tab); n != 0 {
		t.Fatalf("%d pending logins left", n)
	}
}

// The demo's step-up action: /api/strong answers 401
// insufficient_user_authentication; gopkce.fetch rejects with acrValues,
// stepUp signs in again in a popup asking for them, and the call succeeds.
func testStepUp(t *testing.T) {
	e, tab := newPopupE2E(t)
	e.Expect("status of 401")
	e.open(tab, "/")
	p, _ := e.popupRun(tab, `gopkce.loginWithPopup()`)
	e.signInPopup(p, "sam", nil)
	if r := e.result(tab); r.Code != "" {
		t.Fatalf("popup login: %+v", r)
	}
	weak := e.call(tab, `gopkce.fetch(`+jsString(e.idp.Issuer()+"/api/strong")+`).then(r => r.status)`)
	if weak.Code != "insufficient_user_authentication" {
		t.Fatalf("fetch with a weak sign-in: %+v", weak)
	}
	if got := eval[string](e, tab, `gopkce.fetch(`+jsString(e.idp.Issuer()+"/api/strong")+`).catch(e => e.acrValues)`); got != devidp.StrongACR {
		t.Fatalf("error.acrValues %q", got)
	}
	e.do(tab, chromedp.WaitVisible(chromedp.ID("logged-in")))
	p, _ = e.clickForPopup(tab, func() { e.do(tab, chromedp.Click(chromedp.ID("step-up"), chromedp.NodeVisible)) })
	e.signInPopup(p, "sam", nil) // the acr field holds what the API asked for
	browsertestPoll(e, tab, `document.getElementById("api-result").dataset.status === "200" || !document.getElementById("error").hidden`)
	if code, _ := e.shownError(tab); code != "" {
		t.Fatalf("step-up: %s: %s", code, e.text(tab, "#error-message"))
	}
	reqs := e.idp.AuthorizeRequests()
	if q := reqs[len(reqs)-1]; q.Get("acr_values") != devidp.StrongACR {
		t.Fatalf("step-up authorization request acr_values %q", q.Get("acr_values"))
	}
	if !strings.Contains(e.text(tab, "#api-result"), "strong hello") {
		t.Fatalf("API result %q", e.text(tab, "#api-result"))
	}
}

// getUserInfo: the provider's claims for the access token; a sub that is
// not the ID token's is refused (OpenID Connect Core §5.3.2).
func testUserInfo(t *testing.T) {
	e, tab := newPopupE2E(t)
	e.open(tab, "/")
	p, _ := e.popupRun(tab, `gopkce.loginWithPopup()`)
	e.signInPopup(p, "uma", nil)
	if r := e.result(tab); r.Code != "" {
		t.Fatalf("popup login: %+v", r)
	}
	info := eval[map[string]any](e, tab, `gopkce.getUserInfo()`)
	sub := eval[string](e, tab, `gopkce.getClaims().then(c => c.sub)`)
	if info["sub"] != sub || info["email"] != "uma@example.com" || info["email_verified"] != true {
		t.Fatalf("userinfo %v (ID token sub %s)", info, sub)
	}
	e.idp.SetUserInfoSub("someone-else")
	if r := e.call(tab, `gopkce.getToken({ forceRefresh: true })`); r.Code != "" {
		t.Fatalf("refresh: %+v", r)
	}
	r := eval[popupResult](e, tab, `gopkce.getUserInfo().then(ok => ({ ok }), err => ({ code: err.code, check: err.check || "" }))`)
	if r.Code != "invalid_userinfo" || r.Check != "sub" {
		t.Fatalf("mismatching sub: %+v, want invalid_userinfo/sub", r)
	}
}
