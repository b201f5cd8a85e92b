package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/browsertest"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// The demo in token-handler mode against the development
// provider's confidential client, and the server's machine-to-machine call.
func TestE2ETokenHandler(t *testing.T) {
	t.Run("login_refresh_logout", testTokenHandlerLoginRefreshLogout)
	t.Run("two_tabs_single_flight", testTokenHandlerTwoTabs)
	t.Run("m2m", testM2MCard)
}

// recorder runs before the page's scripts: it keeps the body of every
// fetch response and every gopkce event the page receives, so the test
// can look for the refresh token in everything JavaScript saw.
const recorder = `(() => {
	window.__seen = [];
	const f = window.fetch;
	window.fetch = async function (...args) {
		const r = await f.apply(this, args);
		try { r.clone().text().then((t) => window.__seen.push("fetch " + String(args[0]) + " " + r.status + " " + t)); } catch (e) {}
		return r;
	};
	let g;
	Object.defineProperty(globalThis, "gopkce", { configurable: true, get() { return g; }, set(v) {
		g = v;
		const emit = v._emit;
		v._emit = function (type, detail) { window.__seen.push("event " + type + " " + JSON.stringify(detail)); return emit.apply(this, arguments); };
	} });
})()`

func addRecorder(ctx context.Context) error {
	return chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recorder})
		return err
	}))
}

// siteCookies returns the browser's cookies for the site, HttpOnly included.
func (e *e2e) siteCookies(ctx context.Context) map[string]*network.Cookie {
	e.tb.Helper()
	return browsertest.Cookies(e.tb, ctx, e.site+"/")
}

// visibleToJS is everything the page's JavaScript can read: storage of
// every kind, document.cookie, the recorded fetch bodies and events, and
// the page's text.
func (e *e2e) visibleToJS(ctx context.Context) string {
	e.tb.Helper()
	var b strings.Builder
	for _, which := range []string{"sessionStorage", "localStorage", "indexedDB"} {
		data, _ := json.Marshal(e.storage(ctx, which))
		b.Write(data)
	}
	b.WriteString(eval[string](e, ctx, `document.cookie + "\n" + (window.__seen || []).join("\n") + "\n" + document.body.innerText`))
	return b.String()
}

func testTokenHandlerLoginRefreshLogout(t *testing.T) {
	e := newE2E(t, e2eOptions{tokenHandler: true})
	tab := e.browser
	if err := addRecorder(tab); err != nil {
		t.Fatal(err)
	}
	e.login(tab, "/", "ana")
	if n := e.idp.TokenSuccesses("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges", n)
	}
	rts := e.idp.RefreshTokensOf(devidp.DevConfidentialClientID)
	if len(rts) != 1 {
		t.Fatalf("%d refresh tokens issued to the confidential client", len(rts))
	}
	rt := rts[0]
	ts := e.tokens(tab, "indexedDB")
	if ts == nil || ts["refresh_token"] != nil || ts["handler_held"] != true {
		t.Fatalf("stored tokens %v", ts)
	}
	// The cookie: HttpOnly, SameSite=Strict, Path=/, not Secure on
	// loopback http (hence no __Host- prefix), sealed.
	c := e.siteCookies(tab)["gopkce-rt"]
	if c == nil || !c.HTTPOnly || c.Secure || c.SameSite != network.CookieSameSiteStrict || c.Path != "/" || c.Session {
		t.Fatalf("cookie %+v", c)
	}
	cookie := c.Value
	if strings.Contains(cookie, rt) {
		t.Fatal("the cookie holds the refresh token in clear")
	}

	// Refresh through the handler, twice (Cognito: the cookie stays).
	before := e.tokens(tab, "indexedDB")["access_token"]
	for i := range 2 {
		if r := e.call(tab, `gopkce.getToken({forceRefresh: true})`); r.Code != "" {
			t.Fatalf("refresh %d: %s %s", i, r.Code, r.Message)
		}
	}
	if n := e.idp.TokenSuccesses("refresh_token"); n != 2 {
		t.Fatalf("%d refreshes at the provider", n)
	}
	if e.tokens(tab, "indexedDB")["access_token"] == before {
		t.Fatal("the access token did not change")
	}
	if s := e.call(tab, `gopkce.getSession()`); !strings.Contains(string(s.OK), `"hasRefreshToken":true`) || !strings.Contains(string(s.OK), "refreshTokenExpiresAt") {
		t.Fatalf("session %s", s.OK)
	}
	seen := e.visibleToJS(tab)
	if !strings.Contains(seen, "fetch /oauth/token 200") || !strings.Contains(seen, "event tokens_changed") {
		t.Fatalf("the recorder saw nothing: %.500s", seen)
	}
	for name, secret := range map[string]string{"refresh token": rt, "cookie": cookie, "cookie name": "gopkce-rt", "refresh_token member": `"refresh_token"`} {
		if strings.Contains(seen, secret) {
			t.Fatalf("the %s is visible to JavaScript", name)
		}
	}

	// Logout revokes through the handler; the provider refuses the old
	// refresh token afterwards, and the cookie is gone.
	if r := e.call(tab, `gopkce.logout({navigate: false})`); r.Code != "" {
		t.Fatalf("logout: %s %s", r.Code, r.Message)
	}
	if e.idp.RefreshTokenValid(rt) || e.idp.Revocations() != 1 {
		t.Fatalf("the refresh token was not revoked (%d revocations)", e.idp.Revocations())
	}
	conf, _ := e.idp.RegisteredClient(devidp.DevConfidentialClientID)
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	req, _ := http.NewRequest("POST", e.idp.Issuer()+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(conf.ID)+":"+url.QueryEscape(conf.Secret))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("the provider answered the revoked refresh token with %d %v", resp.StatusCode, body)
	}
	if _, still := e.siteCookies(tab)["gopkce-rt"]; still {
		t.Fatal("the cookie survived logout")
	}
	if r := e.call(tab, `gopkce.getToken()`); r.Code != "login_required" {
		t.Fatalf("after logout: %+v", r)
	}
}

// Two tabs sharing tokens, 10 getToken calls each on a stale token, a
// rotating provider and client_secret_post: one refresh, one cookie
// rotation, the grant alive.
func testTokenHandlerTwoTabs(t *testing.T) {
	e := newE2E(t, e2eOptions{tokenHandler: true, authStyle: "client_secret_post", refreshMode: devidp.Rotating,
		accessTTL: 4 * time.Second, refreshMargin: 3 * time.Second, storage: "local"})
	tab1 := e.browser
	e.login(tab1, "/", "kim")
	tab2 := e.NewTab("tab2")
	e.open(tab2, "/")
	e.waitLoggedIn(tab2)
	first := e.siteCookies(tab1)["gopkce-rt"].Value
	time.Sleep(2200 * time.Millisecond) // past half the 4 s lifetime, which caps the 3 s margin
	results := e.getTokenInTabs(10, tab1, tab2)
	for i := range 2 {
		for _, tok := range results[i] {
			if tok != results[0][0] {
				t.Fatalf("tab %d got another token", i+1)
			}
		}
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests from two tabs, want 1", n)
	}
	if e.siteCookies(tab2)["gopkce-rt"].Value == first {
		t.Fatal("the rotated refresh token did not replace the cookie")
	}
	valid := 0
	for _, rt := range e.idp.RefreshTokensOf(devidp.DevConfidentialClientID) {
		if e.idp.RefreshTokenValid(rt) {
			valid++
		}
	}
	if valid != 1 {
		t.Fatalf("%d valid refresh tokens: the grant was revoked or not rotated", valid)
	}
	if r := e.call(tab2, `gopkce.getToken({forceRefresh: true})`); r.Code != "" {
		t.Fatalf("session dead afterwards: %s", r.Code)
	}
	if tok := e.tokens(tab1, "indexedDB"); tok["refresh_token"] != nil {
		t.Fatal("a refresh token in IndexedDB")
	}
}

// The demo's machine-to-machine card: the server calls the provider's API
// with a client_credentials token, for a user signed in through the token
// handler only; the page shows the answer, never the token; two calls make
// one token request.
func testM2MCard(t *testing.T) {
	e := newE2E(t, e2eOptions{tokenHandler: true})
	tab := e.browser
	e.open(tab, "/")
	e.Expect("status of 401") // the browser logs the signed-out call's 401
	e.do(tab, chromedp.Click(chromedp.ID("call-m2m"), chromedp.NodeVisible))
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.getElementById("m2m-result").dataset.status === "401"`)); err != nil {
		t.Fatalf("signed out: %v: %s", err, e.text(tab, "#m2m-result"))
	}
	if n := e.idp.RecordCalls(); n != 0 {
		t.Fatalf("%d API calls for a signed-out page", n)
	}
	e.login(tab, "/", "m2m-user")
	for i := 1; i <= 2; i++ {
		e.do(tab, chromedp.Click(chromedp.ID("call-m2m"), chromedp.NodeVisible))
		got, err := chromedp.Run(tab, chromedp.Poll[string](`document.getElementById("m2m-result").dataset.status === "201" && document.getElementById("m2m-result").textContent.includes('"calls": `+string(rune('0'+i))+`') && document.getElementById("m2m-result").textContent`))
		if err != nil {
			t.Fatalf("call %d: %v: %s", i, err, e.text(tab, "#m2m-result"))
		}
		if !strings.Contains(got, devidp.DevM2MClientID) || !strings.Contains(got, "api/write") || strings.Contains(got, "eyJ") {
			t.Fatalf("call %d shows %s", i, got)
		}
	}
	if n := e.idp.TokenRequests("client_credentials"); n != 1 {
		t.Fatalf("%d client_credentials requests for two calls", n)
	}
	if n := e.idp.RecordCalls(); n != 2 {
		t.Fatalf("%d API calls", n)
	}
}
