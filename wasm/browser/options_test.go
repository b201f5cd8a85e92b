//go:build js && wasm

package main

import (
	"context"
	"strings"
	"syscall/js"
	"testing"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// invoke calls an exported function and returns its resolution or its
// rejection reason.
func invoke(fn func([]js.Value) (any, error), args ...any) (value, reason js.Value) {
	f := async(fn)
	defer f.Release()
	ch := make(chan [2]js.Value, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- [2]js.Value{arg0(a), js.Undefined()}; return nil })
	bad := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- [2]js.Value{js.Undefined(), a[0]}; return nil })
	defer ok.Release()
	defer bad.Release()
	f.Invoke(args...).Call("then", ok, bad)
	r := <-ch
	return r[0], r[1]
}

// Options have types: a non-boolean boolean option, a non-string returnTo,
// an unknown option or a non-object is invalid_argument, and nothing
// happens (no navigation, no logout).
func TestCallOptionsHaveTypes(t *testing.T) {
	base, count := nodeServer(t)
	g := js.Global()
	g.Set("sessionStorage", fakeStorage())
	loc := jsFunction.New(`return { href: "", assigned: "", assign(u) { this.assigned = u; } };`).Invoke()
	g.Set("location", loc)
	g.Set("history", jsFunction.New(`return { state: null, replaceState() {} };`).Invoke())
	g.Set("gopkce", jsFunction.New(`return { _emit() {} };`).Invoke())
	obj := func(src string) js.Value { return g.Get("JSON").Call("parse", src) }
	if _, e := invoke(configure, obj(`{"clientId":"c","authorizationEndpoint":"`+base+`/a","tokenEndpoint":"`+base+`/token","redirectUri":"`+base+`/callback"}`)); !e.IsUndefined() {
		t.Fatalf("configure: %v", e.Get("message"))
	}
	for _, tc := range []struct {
		name string
		fn   func([]js.Value) (any, error)
		arg  js.Value
		want string // in the message
	}{
		{"startLogin navigate string", startLogin, obj(`{"navigate":"false"}`), "navigate must be a boolean"},
		{"startLogin navigate number", startLogin, obj(`{"navigate":0}`), "navigate must be a boolean"},
		{"startLogin returnTo number", startLogin, obj(`{"returnTo":5}`), "returnTo must be a string"},
		{"startLogin unknown option", startLogin, obj(`{"returnto":"/x"}`), `unknown option "returnto"`},
		{"startLogin not an object", startLogin, js.ValueOf("/inbox"), "takes an options object"},
		{"startLogin array", startLogin, obj(`[]`), "takes an options object"},
		{"getToken forceRefresh string", getToken, obj(`{"forceRefresh":"yes"}`), "forceRefresh must be a boolean"},
		{"logout navigate string", logout, obj(`{"navigate":"no"}`), "navigate must be a boolean"},
		{"handleCallback object", handleCallback, obj(`{}`), "callback URL as a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc.Set("assigned", "")
			_, e := invoke(tc.fn, tc.arg)
			if e.IsUndefined() || e.Get("code").String() != "invalid_argument" || !strings.Contains(e.Get("message").String(), tc.want) {
				t.Fatalf("got %v, want invalid_argument with %q", js.Global().Get("JSON").Call("stringify", e), tc.want)
			}
			if loc.Get("assigned").String() != "" {
				t.Fatal("navigated despite the refused options")
			}
		})
	}
	// Booleans still work, and undefined means the default.
	if u, e := invoke(startLogin, obj(`{"navigate":false,"returnTo":"/x"}`)); !e.IsUndefined() || !strings.HasPrefix(u.String(), base+"/a?") || loc.Get("assigned").String() != "" {
		t.Fatal("navigate:false refused or navigated")
	}
	if _, e := invoke(startLogin, jsFunction.New(`return {navigate: undefined};`).Invoke()); !e.IsUndefined() || loc.Get("assigned").String() == "" {
		t.Fatal("navigate: undefined did not navigate")
	}
	if count() != 0 {
		t.Fatal("a request was made")
	}
}

// fetch is called with credentials "omit", no cache, no referrer, manual
// redirects, and no Authorization header.
func TestFetchInit(t *testing.T) {
	g := js.Global()
	old := g.Get("fetch")
	rec := jsFunction.New(`
		const rec = { calls: [] };
		rec.fetch = (url, init) => {
			rec.calls.push({url, credentials: init.credentials, cache: init.cache, redirect: init.redirect,
				referrerPolicy: init.referrerPolicy, mode: init.mode, authorization: init.headers.get("Authorization"),
				contentType: init.headers.get("Content-Type"), signal: !!init.signal});
			return Promise.resolve(new Response('{"access_token":"a","token_type":"Bearer"}', {status: 200}));
		};
		return rec;`).Invoke()
	g.Set("fetch", rec.Get("fetch"))
	t.Cleanup(func() { g.Set("fetch", old) })
	resp, err := fetchTransport{}.RoundTrip(context.Background(), &oauth.Request{Method: "POST", URL: "https://idp.example.com/token",
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: []byte("a=b")})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := g.Get("JSON").Call("stringify", rec.Get("calls").Index(0)).String()
	want := `{"url":"https://idp.example.com/token","credentials":"omit","cache":"no-store","redirect":"manual","referrerPolicy":"no-referrer","authorization":null,"contentType":"application/x-www-form-urlencoded","signal":true}`
	if got != want {
		t.Fatalf("fetch init\n got %s\nwant %s", got, want)
	}
}

// A fetch that gets no response says what usually causes it.
func TestFetchFailureNamesCORSAndOffline(t *testing.T) {
	_, err := fetchTransport{}.RoundTrip(context.Background(), &oauth.Request{Method: "POST", URL: "http://127.0.0.1:1/token"})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "TypeError") || !strings.Contains(msg, "CORS") || !strings.Contains(msg, "offline") || !strings.Contains(msg, "http://127.0.0.1:1") {
		t.Fatalf("message %q", msg)
	}
}
