//go:build js && wasm

// These tests run the binding under Node.js (go_js_wasm_exec): Promises,
// errors, Web Storage wrappers and fetch against a Node HTTP server. The
// browser itself is exercised by the end-to-end suite in cmd/serve.
package main

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/oauth"
)

var jsFunction = js.Global().Get("Function")

// fakeStorage is a Web Storage lookalike; full makes setItem throw like a
// browser over quota.
func fakeStorage() js.Value {
	return jsFunction.New(`
		const m = new Map();
		return {
			full: false,
			get length() { return m.size; },
			key(i) { const k = Array.from(m.keys())[i]; return k === undefined ? null : k; },
			getItem(k) { return m.has(k) ? m.get(k) : null; },
			setItem(k, v) { if (this.full) { const e = new Error("quota exceeded"); e.name = "QuotaExceededError"; throw e; } m.set(k, String(v)); },
			removeItem(k) { m.delete(k); },
		};`).Invoke()
}

// nodeServer starts a Node HTTP server answering by path, and returns its
// base URL and a function reading how many requests it saw.
func nodeServer(t *testing.T) (string, func() int) {
	t.Helper()
	start := jsFunction.New("http", `
		let count = 0;
		const srv = http.createServer((req, res) => {
			count++;
			const json = (status, body) => { res.writeHead(status, {"Content-Type": "application/json"}); res.end(JSON.stringify(body)); };
			switch (req.url) {
			case "/token": return json(200, {access_token: "at-node", token_type: "bearer", expires_in: 3600, refresh_token: "rt-node"});
			case "/denied": return json(400, {error: "invalid_grant", error_description: "Code <b>expired</b>"});
			case "/html500": res.writeHead(500, {"Content-Type": "text/html"}); return res.end("<h1>SECRET-PAGE</h1>");
			case "/redirect": res.writeHead(302, {"Location": "/token"}); return res.end();
			case "/huge": res.writeHead(200, {"Content-Type": "application/json"}); res.write('{"access_token":"'); res.end("a".repeat(1 << 20));
				return;
			case "/hang": return; // never answers
			}
			res.writeHead(404); res.end();
		});
		srv.unref();
		return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => resolve({
			url: "http://127.0.0.1:" + srv.address().port, count: () => count,
			close: () => { srv.closeAllConnections(); srv.close(); },
		})));`)
	v, err := await(start.Invoke(js.Global().Call("require", "http")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Call("close") })
	return v.Get("url").String(), func() int { return v.Call("count").Int() }
}

func TestAsyncResolvesAndRejects(t *testing.T) {
	ok := async(func([]js.Value) (any, error) { return "value", nil })
	defer ok.Release()
	v, err := await(ok.Invoke())
	if err != nil || v.String() != "value" {
		t.Fatalf("resolve: %v %v", v, err)
	}
	bad := async(func([]js.Value) (any, error) {
		return nil, &oauth.Error{Code: oauth.CodeLoginRequired, Description: "<b>plain</b>"}
	})
	defer bad.Release()
	p := bad.Invoke()
	if !p.InstanceOf(js.Global().Get("Promise")) {
		t.Fatal("exported function does not return a Promise")
	}
	reason := rejection(t, p)
	if !reason.InstanceOf(js.Global().Get("Error")) || reason.Get("name").String() != "GopkceError" ||
		reason.Get("code").String() != "login_required" || reason.Get("description").String() != "<b>plain</b>" ||
		!strings.HasPrefix(reason.Get("message").String(), "gopkce: login_required") {
		t.Fatalf("rejection %v", js.Global().Get("JSON").Call("stringify", reason))
	}
	boom := async(func([]js.Value) (any, error) { panic("boom") })
	defer boom.Release()
	if code := rejection(t, boom.Invoke()).Get("code").String(); code != "internal_error" {
		t.Fatalf("panic became %q", code)
	}
}

// rejection awaits p and returns its rejection reason (an Error object).
func rejection(t *testing.T, p js.Value) js.Value {
	t.Helper()
	ch := make(chan js.Value, 1)
	onOK := js.FuncOf(func(js.Value, []js.Value) any { ch <- js.Null(); return nil })
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- args[0]; return nil })
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	r := <-ch
	if r.IsNull() {
		t.Fatal("the Promise resolved; want a rejection")
	}
	return r
}

func TestWebStorage(t *testing.T) {
	raw := fakeStorage()
	s := webStorage{raw}
	if err := s.Set("gopkce:a", "1"); err != nil {
		t.Fatal(err)
	}
	s.Set("other", "2")
	if v, ok, err := s.Get("gopkce:a"); v != "1" || !ok || err != nil {
		t.Fatalf("Get = %q %v %v", v, ok, err)
	}
	if _, ok, _ := s.Get("missing"); ok {
		t.Fatal("missing key found")
	}
	if keys, _ := s.Keys("gopkce:"); len(keys) != 1 || keys[0] != "gopkce:a" {
		t.Fatalf("Keys = %v", keys)
	}
	raw.Set("full", true)
	err := s.Set("gopkce:b", "x")
	if err == nil || !strings.Contains(err.Error(), "QuotaExceededError") {
		t.Fatalf("quota error = %v", err)
	}
	s.Remove("gopkce:a")
	if _, ok, _ := s.Get("gopkce:a"); ok {
		t.Fatal("Remove did not remove")
	}
	if _, err := globalStorage("noSuchStorage"); err == nil {
		t.Fatal("a missing storage gave no error")
	}
}

func TestFetchTransport(t *testing.T) {
	base, _ := nodeServer(t)
	rt := func(path string, timeout time.Duration) ([]byte, int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		resp, err := fetchTransport{}.RoundTrip(ctx, &oauth.Request{Method: "POST", URL: base + path,
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: []byte("a=b")})
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 100))
		return b, resp.Status, err
	}
	body, status, err := rt("/token", 5*time.Second)
	if err != nil || status != 200 || !strings.Contains(string(body), "at-node") {
		t.Fatalf("token: %d %q %v", status, body, err)
	}
	if _, status, _ := rt("/redirect", 5*time.Second); status != 302 {
		t.Fatalf("redirect followed or lost: %d", status)
	}
	if body, _, err := rt("/huge", 5*time.Second); err != nil || len(body) != 100 {
		t.Fatalf("huge body: %d bytes, %v", len(body), err)
	}
	if _, _, err := rt("/hang", 300*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hang: %v, want a deadline error", err)
	}
	if _, _, err := (func() ([]byte, int, error) {
		resp, err := fetchTransport{}.RoundTrip(context.Background(), &oauth.Request{Method: "POST", URL: "http://127.0.0.1:1/"})
		if err == nil {
			resp.Body.Close()
		}
		return nil, 0, err
	})(); err == nil {
		t.Fatal("connection refused gave no error")
	}
}

// The exported functions end to end in Node, with fake browser globals.
func TestExportedFlow(t *testing.T) {
	base, count := nodeServer(t)
	g := js.Global()
	g.Set("sessionStorage", fakeStorage())
	loc := jsFunction.New(`return { href: "", assigned: "", assign(u) { this.assigned = u; } };`).Invoke()
	hist := jsFunction.New(`return { state: null, replaced: "", replaceState(s, t, u) { this.replaced = u; } };`).Invoke()
	ns := jsFunction.New(`return { events: [], _emit(type, d) { this.events.push(type); } };`).Invoke()
	g.Set("location", loc)
	g.Set("history", hist)
	g.Set("gopkce", ns)
	call := invoke
	obj := func(src string) js.Value { return g.Get("JSON").Call("parse", src) }

	_, e := call(configure, obj(`{"clientId":"c","client_secret":"x","authorizationEndpoint":"`+base+`/a","tokenEndpoint":"`+base+`/token","redirectUri":"`+base+`/callback"}`))
	if e.IsUndefined() || e.Get("code").String() != "invalid_config" || e.Get("field").String() != "client_secret" {
		t.Fatal("a client secret was not refused with invalid_config naming the field")
	}
	if _, e := call(getToken); e.IsUndefined() || e.Get("code").String() != "invalid_config" {
		t.Fatal("getToken before configure did not fail")
	}
	if _, e := call(configure, obj(`{"clientId":"c","authorizationEndpoint":"`+base+`/a","tokenEndpoint":"`+base+`/token","redirectUri":"`+base+`/callback"}`)); !e.IsUndefined() {
		t.Fatalf("configure: %v", e.Get("message"))
	}
	u, e := call(startLogin, obj(`{"returnTo":"/inbox","navigate":false}`))
	if !e.IsUndefined() || loc.Get("assigned").String() != "" {
		t.Fatal("startLogin with navigate:false navigated or failed")
	}
	pu, _ := url.Parse(u.String())
	loc.Set("href", base+"/callback?code=c1&state="+pu.Query().Get("state"))
	res, e := call(handleCallback)
	if !e.IsUndefined() || res.Get("returnTo").String() != "/inbox" {
		t.Fatalf("handleCallback: %v", js.Global().Get("JSON").Call("stringify", e))
	}
	if got := hist.Get("replaced").String(); got != base+"/callback" {
		t.Fatalf("address bar replaced with %q", got)
	}
	if tok, _ := call(getToken); tok.String() != "at-node" {
		t.Fatalf("getToken = %v", tok)
	}
	if s, _ := call(getSession); !s.Get("loggedIn").Bool() || !s.Get("hasRefreshToken").Bool() || s.Get("refresh_token").Truthy() {
		t.Fatal("getSession wrong or leaking a token")
	}
	if c, e := call(getClaims); !c.IsNull() || !e.IsUndefined() {
		t.Fatal("claims of an opaque token should be null")
	}
	// A replayed callback: rejected, and the address bar is cleaned again.
	hist.Set("replaced", "")
	if _, e := call(handleCallback); e.Get("code").String() != "no_pending_login" || hist.Get("replaced").String() == "" {
		t.Fatal("replayed callback not refused or not cleaned")
	}
	if n := count(); n != 1 {
		t.Fatalf("%d token requests, want 1", n)
	}
	if out, _ := call(logout, obj(`{"navigate":false}`)); out.String() != base+"/" {
		t.Fatalf("logout = %v", out)
	}
	if _, e := call(getToken); e.Get("code").String() != "login_required" {
		t.Fatal("tokens survived logout")
	}
	events := g.Get("JSON").Call("stringify", ns.Get("events")).String()
	if events != `["tokens_changed","logged_out"]` {
		t.Fatalf("events %s", events)
	}
}

func TestNoWebLocksFallsBack(t *testing.T) {
	nav := js.Global().Get("navigator")
	if nav.Truthy() && nav.Get("locks").Truthy() {
		t.Skip("this Node has navigator.locks")
	}
	if newLocker() != nil {
		t.Fatal("a locker without navigator.locks")
	}
}
