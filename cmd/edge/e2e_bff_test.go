//go:build !(js && wasm)

package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/browsertest"
)

// The worker as a backend for frontend: the same bff handler as serve's,
// its secret and key from secrets, its key set from a var. A login, one
// call through the proxy, and no token the provider issued in anything the
// page holds.
func TestEdgeBFF(t *testing.T) {
	e := startEdgeWith(t, time.Hour, false, map[string]string{"BFF": "true", "JWKS_URI": "{issuer}/.well-known/jwks.json",
		// /api/m2m serves only users signed in through the token handler.
		"M2M_TOKEN_ENDPOINT": "", "M2M_CLIENT_ID": "", "M2M_SCOPE": "", "M2M_API": ""})
	e.login("edge-bff")
	e.do(chromedp.WaitVisible(chromedp.ID("logged-in")))
	if who := evalJS[string](e, `document.getElementById("who").textContent`); !strings.Contains(who, "edge-bff") {
		t.Fatalf("signed in as %q", who)
	}
	if n := e.idp.TokenSuccesses("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges", n)
	}
	if c := e.cookies()["gopkce-bff-0"]; c == nil || !c.HTTPOnly {
		t.Fatalf("session cookie %+v", c)
	}
	if code := evalJS[string](e, `gopkce.getToken().then(() => "", (err) => err.code)`); code != "tokens_on_server" {
		t.Fatalf("getToken: %q", code)
	}

	// The demo's API card, through the worker's proxy.
	e.do(chromedp.Click(chromedp.ID("call-api")))
	browsertest.Poll[bool](t, e.browser, `document.getElementById("api-result").textContent.includes("hello edge-bff")`)
	if n := e.idp.APICalls(); n != 1 {
		t.Fatalf("%d API calls", n)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(e.log.String(), "GET "+app.BFFRoutePath+"me 200"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("wrangler's log shows no proxied call:\n%s", e.log.String())
		}
	}

	var seen strings.Builder
	for _, which := range []string{"sessionStorage", "localStorage", "indexedDB"} {
		b, _ := json.Marshal(browsertest.Storage(t, e.browser, which))
		seen.Write(b)
	}
	seen.WriteString(evalJS[string](e, `(async () => document.cookie + JSON.stringify([await gopkce.getSession(), await gopkce.getClaims()]) +
		document.body.innerText)()`))
	if !strings.Contains(seen.String(), "edge-bff") {
		t.Fatalf("nothing seen: %.300s", seen.String())
	}
	issued := e.idp.IssuedTokens()
	if len(issued) != 3 {
		t.Fatalf("%d tokens issued", len(issued))
	}
	for i, tok := range issued {
		if strings.Contains(seen.String(), tok) {
			t.Fatalf("issued token %d is visible to the page", i)
		}
	}
}
