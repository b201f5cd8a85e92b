package main

import (
	"context"
	"testing"

	"github.com/gopkce/gopkce/cmd/internal/app"
	"github.com/gopkce/gopkce/cmd/internal/devidp"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// TestE2EIDTokens plays the ID-token case table (devidp.IDTokenCases, the
// one the native suite runs with golang-jwt) in Chromium: the core with
// WebCrypto signatures, against the development provider, configured by
// discovery (openid without a key set). Each case runs in a fresh page
// with an empty sessionStorage, so no cached document or key set carries
// over.
func TestE2EIDTokens(t *testing.T) {
	e := newE2E(t, e2eOptions{})
	ctx := e.browser
	for _, c := range devidp.IDTokenCases {
		t.Run(c.Name, func(t *testing.T) {
			e.tb = t // failures and logs go to the case
			defer func(parent testing.TB) { e.tb = parent }(e.tb)
			e.idp.SetIDTokenCase("")
			e.open(ctx, "/")
			e.call(ctx, `(sessionStorage.clear(), null)`)
			e.open(ctx, "/")
			if !c.Refresh {
				e.idp.SetIDTokenCase(c.Name)
			}
			docs, sets, codes := e.idp.DiscoveryRequests(), e.idp.KeySetRequests(), e.idp.TokenRequests("authorization_code")
			r := e.refusal(ctx, `gopkce.startLogin({navigate: false, returnTo: "/"})`)
			if c.WantCode == oauth.CodeInvalidDiscovery {
				if r.Code != c.WantCode || r.Check != c.WantCheck {
					t.Fatalf("startLogin: %+v, want %s naming %s", r, c.WantCode, c.WantCheck)
				}
				if e.pendingLogins(ctx) != 0 || e.idp.TokenRequests("authorization_code") != codes {
					t.Fatal("a login went ahead after the discovery document was refused")
				}
				return
			}
			if r.Code != "" {
				t.Fatalf("startLogin: %+v", r)
			}
			if d, s := e.idp.DiscoveryRequests()-docs, e.idp.KeySetRequests()-sets; d != 1 || s != 1 {
				t.Fatalf("startLogin read discovery %d times and the key set %d times, want 1 and 1 (prefetch)", d, s)
			}
			e.providerLogin(ctx, r.URL, "alice")
			if !c.Refresh && c.WantCode != "" {
				e.wantError(ctx, c.WantCode)
				if check := eval[string](e, ctx, `document.getElementById("error").dataset.check`); check != c.WantCheck {
					t.Fatalf("refused by check %q, want %q (%s)", check, c.WantCheck, e.text(ctx, "#error-message"))
				}
				e.checkNoTokens(ctx)
				return
			}
			e.waitLoggedIn(ctx)
			want := 1
			if c.Name == "unknown_kid_rotation" {
				want = 2 // the prefetched set lacks the new kid: one refetch
			}
			if d, s := e.idp.DiscoveryRequests()-docs, e.idp.KeySetRequests()-sets; d != 1 || s != want {
				t.Fatalf("the login read discovery %d times and the key set %d times, want 1 and %d", d, s, want)
			}
			if aud := eval[string](e, ctx, `gopkce.getClaims().then(c => c && c.aud)`); aud != app.DevClientID {
				t.Fatalf("getClaims().aud = %q", aud)
			}
			if !c.Refresh {
				return
			}
			e.idp.SetIDTokenCase(c.Name)
			r = e.refusal(ctx, `gopkce.getToken({forceRefresh: true})`)
			if c.WantCode == "" {
				if r.Code != "" {
					t.Fatalf("refresh refused: %+v", r)
				}
				return
			}
			if r.Code != oauth.CodeLoginRequired || r.Check != c.WantCheck {
				t.Fatalf("refresh: %+v, want login_required from check %q", r, c.WantCheck)
			}
			e.checkNoTokens(ctx)
			if claims := eval[any](e, ctx, `gopkce.getClaims()`); claims != nil {
				t.Fatalf("claims after a refused refresh: %v", claims)
			}
		})
	}
}

// refusalResult is a gopkce call's value (as a string) or its error's code
// and check (or configuration field).
type refusalResult struct {
	URL     string `json:"url"`
	Code    string `json:"code"`
	Check   string `json:"check"`
	Message string `json:"message"`
}

func (e *e2e) refusal(ctx context.Context, expr string) refusalResult {
	e.tb.Helper()
	return eval[refusalResult](e, ctx, `(async () => {
		try { const v = await (`+expr+`); return { url: typeof v === "string" ? v : "" }; }
		catch (err) { return { code: err.code || "", check: err.check || err.field || "", message: String(err.message) }; }
	})()`)
}

func (e *e2e) checkNoTokens(ctx context.Context) {
	e.tb.Helper()
	if ts := e.tokens(ctx, "sessionStorage"); ts != nil {
		e.tb.Fatalf("tokens stored after a refusal: %v", ts)
	}
}
