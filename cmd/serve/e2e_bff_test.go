package main

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
)

// The demo with -bff: the server keeps every token, the page calls the
// development provider's API through the proxy, two tabs share one
// session and one refresh, and no token the provider issued ever reaches
// the page.
func TestE2EBFF(t *testing.T) {
	var skew atomic.Int64 // the server's clock ahead of the browser's, ns
	// Tokens of 5 minutes, the ID token's clock leeway: a server 5 min
	// 10 s ahead holds the access token as expired, while the page's is
	// fresh and the refreshed ID token still passes its exp check.
	e := newE2E(t, e2eOptions{bff: true, accessTTL: 5 * time.Minute, bffNow: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	tab1 := e.browser
	if err := addRecorder(tab1); err != nil {
		t.Fatal(err)
	}
	bodies1 := captureBodies(t, tab1)
	e.login(tab1, "/", "ana")
	if n := e.idp.TokenSuccesses("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges", n)
	}
	issued := e.idp.IssuedTokens()
	if len(issued) != 3 {
		t.Fatalf("%d tokens issued at login, want access, ID and refresh", len(issued))
	}
	rt := e.idp.RefreshTokensOf(devidp.DevConfidentialClientID)[0]

	// The three calls work; getToken says why it gives nothing.
	if r := e.call(tab1, `gopkce.getToken()`); r.Code != "tokens_on_server" || !strings.Contains(r.Message, "server") {
		t.Fatalf("getToken: %+v", r)
	}
	claims := e.call(tab1, `gopkce.getClaims()`)
	if !strings.Contains(string(claims.OK), `"email":"ana@`) || !strings.Contains(string(claims.OK), `"sub"`) {
		t.Fatalf("claims %s %s", claims.OK, claims.Code)
	}
	if s := e.call(tab1, `gopkce.getSession()`); !strings.Contains(string(s.OK), `"loggedIn":true`) || !strings.Contains(string(s.OK), `"hasRefreshToken":true`) {
		t.Fatalf("session %s", s.OK)
	}
	if got := e.text(tab1, "#claims-source"); !strings.Contains(got, "backend for frontend") {
		t.Fatalf("claims shown from %q", got)
	}
	c := e.siteCookies(tab1)["gopkce-bff-0"]
	if c == nil || !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Path != "/" {
		t.Fatalf("session cookie %+v", c)
	}

	// The demo's API card: the API answers through the proxy.
	e.do(tab1, chromedp.Click(chromedp.ID("call-api"), chromedp.NodeVisible))
	status := pollString(e, tab1, `document.getElementById("api-result").dataset.status || ""`)
	if status != "200" || !strings.Contains(e.text(tab1, "#api-result"), "hello ana") || e.idp.APICalls() != 1 {
		t.Fatalf("API card: %s %q, %d API calls", status, e.text(tab1, "#api-result"), e.idp.APICalls())
	}
	if seen := eval[string](e, tab1, `(window.__seen || []).join("\n")`); !strings.Contains(seen, "fetch "+e.site+app.BFFRoutePath+"me 200") {
		t.Fatalf("the call did not go through the proxy route: %.800s", seen)
	}

	// Two tabs, ten calls each, on an access token the server holds as
	// expired: the proxy answers token_expired, and one tab refreshes.
	tab2 := e.NewTab("tab2")
	if err := addRecorder(tab2); err != nil {
		t.Fatal(err)
	}
	bodies2 := captureBodies(t, tab2)
	e.open(tab2, "/")
	e.waitLoggedIn(tab2)
	e.Expect("the server responded with a status of 401") // the proxy's token_expired, in the console
	skew.Store(int64(5*time.Minute + 10*time.Second))
	var wg sync.WaitGroup
	statuses := make([][]int, 2)
	errs := make([]error, 2)
	for i, tab := range []context.Context{tab1, tab2} {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(tab, 20*time.Second)
			defer cancel()
			statuses[i], errs[i] = chromedp.Run(ctx, chromedp.Evaluate[[]int](
				`Promise.all(Array.from({length: 10}, () => gopkce.fetch(`+jsString(e.idp.Issuer()+"/api/me")+`).then((r) => r.status)))`, chromedp.EvalAwaitPromise))
		})
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil || len(statuses[i]) != 10 {
			t.Fatalf("tab %d: %v %v", i+1, errs[i], statuses[i])
		}
		for _, s := range statuses[i] {
			if s != 200 {
				t.Fatalf("tab %d: statuses %v", i+1, statuses[i])
			}
		}
	}
	if n := e.idp.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests from two tabs, want 1", n)
	}
	expired := 0
	for _, tab := range []context.Context{tab1, tab2} {
		expired += eval[int](e, tab, `(window.__seen || []).filter((s) => s.includes(" 401 ") && s.includes("token_expired")).length`)
	}
	if expired == 0 {
		t.Fatal("the proxy never answered token_expired: the test did not expire the token")
	}
	if e.idp.APICalls() != 21 {
		t.Fatalf("%d API calls, want 21", e.idp.APICalls())
	}

	// No token the provider issued is anywhere the page can see.
	issued = e.idp.IssuedTokens()
	if len(issued) != 5 {
		t.Fatalf("%d tokens issued after the refresh, want 5", len(issued))
	}
	returned := e.call(tab1, `Promise.all([gopkce.getSession(), gopkce.getClaims(), gopkce.getUnverifiedAccessTokenClaims(),
		gopkce.fetch(`+jsString(e.idp.Issuer()+"/api/me")+`).then((r) => r.text())])`)
	var seen strings.Builder
	seen.Write(returned.OK)
	for _, tab := range []context.Context{tab1, tab2} {
		seen.WriteString(e.visibleToJS(tab))
	}
	time.Sleep(300 * time.Millisecond) // the last bodies' Network.getResponseBody
	n1 := bodies1.write(&seen)
	n2 := bodies2.write(&seen)
	if !strings.Contains(seen.String(), "hello ana") || !strings.Contains(seen.String(), "event tokens_changed") || n1 < 10 || n2 < 10 {
		t.Fatalf("the recorders saw too little (%d and %d response bodies): %.500s", n1, n2, seen.String())
	}
	for i, tok := range issued {
		if strings.Contains(seen.String(), tok) {
			t.Fatalf("issued token %d is visible to the page", i)
		}
		// A JWT's signature alone would do as much harm.
		if parts := strings.Split(tok, "."); len(parts) == 3 && strings.Contains(seen.String(), parts[2]) {
			t.Fatalf("issued token %d's signature is visible to the page", i)
		}
	}

	// Logout revokes, clears the cookies and ends the session in tab2.
	if r := e.call(tab1, `gopkce.logout({navigate: false})`); r.Code != "" {
		t.Fatalf("logout: %s %s", r.Code, r.Message)
	}
	if e.idp.RefreshTokenValid(rt) || e.idp.Revocations() != 1 {
		t.Fatalf("the refresh token was not revoked (%d revocations)", e.idp.Revocations())
	}
	for name := range e.siteCookies(tab1) {
		if strings.HasPrefix(name, "gopkce-bff") {
			t.Fatalf("cookie %s survived logout", name)
		}
	}
	if got := pollString(e, tab2, `gopkce.getSession().then((s) => s.loggedIn ? "" : "out")`); got != "out" {
		t.Fatalf("tab2 session after logout: %q", got)
	}
	if r := e.call(tab2, `gopkce.fetch(`+jsString(e.idp.Issuer()+"/api/me")+`)`); r.Code != "login_required" {
		t.Fatalf("tab2 fetch after logout: %+v", r)
	}
}

// pollString polls expression in the page until it is not "".
func pollString(e *e2e, ctx context.Context, expression string) string {
	e.tb.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Poll[string](expression, chromedp.WithPollingInterval(20*time.Millisecond)))
	if err != nil {
		e.tb.Fatalf("waiting for %s: %v", expression, err)
	}
	return got
}

// bodyLog keeps the body of every response a tab receives, from the
// DevTools protocol (documents, scripts, fetches alike).
type bodyLog struct {
	mu     sync.Mutex
	bodies []string
}

func captureBodies(t *testing.T, tab context.Context) *bodyLog {
	t.Helper()
	if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	l := &bodyLog{}
	ctx, cancel := context.WithCancel(tab)
	t.Cleanup(cancel)
	events := chromedp.Events(ctx, network.LoadingFinished)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: ev.RequestID})
			if err != nil {
				continue // a body the browser did not keep (a redirect, a preflight)
			}
			l.mu.Lock()
			l.bodies = append(l.bodies, string(res.Body))
			l.mu.Unlock()
		}
	}()
	return l
}

// write appends the bodies to b and returns how many there were.
func (l *bodyLog) write(b *strings.Builder) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.bodies {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return len(l.bodies)
}
