package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// dpopKeysJS lists the DPoP key entries of the page's database.
const dpopKeysJS = `new Promise((ok, fail) => {
	const r = indexedDB.open("gopkce");
	r.onerror = () => fail(r.error);
	r.onsuccess = () => {
		const q = r.result.transaction("kv").objectStore("kv").getAllKeys();
		q.onsuccess = () => { ok(q.result.filter(k => String(k).startsWith("gopkce:dpop-key:"))); r.result.close(); };
		q.onerror = () => fail(q.error);
	};
})`

// exportKeyJS tries to export every stored DPoP private key; it resolves
// with the errors' names.
const exportKeyJS = `new Promise((ok, fail) => {
	const r = indexedDB.open("gopkce");
	r.onsuccess = () => {
		const q = r.result.transaction("kv").objectStore("kv").getAll();
		q.onsuccess = async () => {
			const out = [];
			for (const v of q.result.filter(v => v && v.privateKey)) {
				try { await crypto.subtle.exportKey("jwk", v.privateKey); out.push("exported"); }
				catch (e) { out.push(e.name); }
			}
			ok(out);
		};
	};
})`

func (e *e2e) dpopKeys(ctx context.Context) []string {
	e.tb.Helper()
	return eval[[]string](e, ctx, dpopKeysJS)
}

func (e *e2e) fetchStatus(ctx context.Context, url string) int {
	e.tb.Helper()
	r := e.call(ctx, `gopkce.fetch(`+jsString(url)+`).then(r => r.status)`)
	if r.Code != "" {
		e.tb.Fatalf("gopkce.fetch: %s %s", r.Code, r.Message)
	}
	var n int
	json.Unmarshal(r.OK, &n)
	return n
}

// DPoP on: login, gopkce.fetch to /api/me, a refresh, the key
// non-extractable, the refresh token useless without it, nonce rotation
// retried once, logout deleting the key.
func testDPoP(t *testing.T) {
	e := newE2E(t, e2eOptions{configHook: func(c map[string]any) { c["dpop"] = "required" }})
	e.idp.EnableDPoP(true, false)
	e.Expect("status of 400") // the replayed refresh token
	e.Expect("status of 401") // use_dpop_nonce
	ctx := e.browser
	e.login(ctx, "/", "dora")
	tok := e.accessToken(ctx)
	claims, err := e.idp.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	cnf, _ := claims["cnf"].(map[string]any)
	keys := e.dpopKeys(ctx)
	if len(keys) != 1 || cnf["jkt"] == nil || keys[0] != "gopkce:dpop-key:"+cnf["jkt"].(string) {
		t.Fatalf("keys %v, token cnf %v", keys, cnf)
	}
	if got := eval[[]string](e, ctx, exportKeyJS); len(got) != 1 || got[0] != "InvalidAccessError" {
		t.Fatalf("exportKey on the stored key: %v, want InvalidAccessError", got)
	}
	api := e.idp.Issuer() + "/api/me"
	if s := e.fetchStatus(ctx, api); s != 200 {
		t.Fatalf("/api/me: %d", s)
	}
	if r := e.call(ctx, `gopkce.getToken({forceRefresh: true})`); r.Code != "" {
		t.Fatalf("refresh: %s %s", r.Code, r.Message)
	}
	if s := e.fetchStatus(ctx, api); s != 200 {
		t.Fatalf("/api/me after the refresh: %d", s)
	}
	h := e.call(ctx, `gopkce.getAuthHeaders("GET", `+jsString(api)+`)`)
	if !strings.Contains(string(h.OK), `"Authorization":"DPoP `) || !strings.Contains(string(h.OK), `"DPoP":"ey`) {
		t.Fatalf("getAuthHeaders: %s %s", h.OK, h.Code)
	}
	// A refresh token copied out of storage is refused without the key.
	rt := e.tokens(ctx, "sessionStorage")["refresh_token"].(string)
	replay := e.call(ctx, `fetch(`+jsString(e.idp.Issuer()+"/oauth2/token")+`, {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"},
		body: new URLSearchParams({grant_type: "refresh_token", client_id: "gopkce-demo", refresh_token: `+jsString(rt)+`})}).then(r => r.json()).then(j => j.error)`)
	if string(replay.OK) != `"invalid_grant"` {
		t.Fatalf("replayed refresh token without the key: %s", replay.OK)
	}
	// Nonces: the first request after a rotation retries once, the next none.
	e.idp.EnableDPoP(true, true)
	base := e.idp.UseDPoPNonceAnswers()
	if s := e.fetchStatus(ctx, api); s != 200 || e.idp.UseDPoPNonceAnswers()-base != 1 {
		t.Fatalf("first call with nonces: %d, %d use_dpop_nonce", s, e.idp.UseDPoPNonceAnswers()-base)
	}
	if s := e.fetchStatus(ctx, api); s != 200 || e.idp.UseDPoPNonceAnswers()-base != 1 {
		t.Fatalf("second call: %d, %d use_dpop_nonce, want still 1", s, e.idp.UseDPoPNonceAnswers()-base)
	}
	e.idp.RotateDPoPNonce()
	if s := e.fetchStatus(ctx, api); s != 200 || e.idp.UseDPoPNonceAnswers()-base != 2 {
		t.Fatalf("after rotation: %d, %d use_dpop_nonce", s, e.idp.UseDPoPNonceAnswers()-base)
	}
	if s := e.fetchStatus(ctx, api); s != 200 || e.idp.UseDPoPNonceAnswers()-base != 2 {
		t.Fatalf("the call after: %d, %d use_dpop_nonce, want still 2", s, e.idp.UseDPoPNonceAnswers()-base)
	}
	// A nonce announced on a successful answer (RFC 9449 §8.2) goes in
	// the next proof, with no use_dpop_nonce round.
	e.idp.NextDPoPNonce()
	if s := e.fetchStatus(ctx, api); s != 200 {
		t.Fatalf("call with the previous nonce: %d", s)
	}
	if s := e.fetchStatus(ctx, api); s != 200 || e.idp.UseDPoPNonceAnswers()-base != 2 {
		t.Fatalf("call after the announcement: %d, %d use_dpop_nonce, want still 2", s, e.idp.UseDPoPNonceAnswers()-base)
	}
	if n := e.idp.DPoPProofNonces(); n[len(n)-1] != e.idp.DPoPNonce() {
		t.Fatal("the nonce announced on a successful response was not used by the next proof")
	}
	jtis := map[string]bool{}
	for _, j := range e.idp.DPoPProofs() {
		if jtis[j] {
			t.Fatalf("jti %s twice", j)
		}
		jtis[j] = true
	}
	if r := e.call(ctx, `gopkce.logout({navigate: false})`); r.Code != "" {
		t.Fatalf("logout: %s", r.Message)
	}
	if keys := e.dpopKeys(ctx); len(keys) != 0 {
		t.Fatalf("keys after logout: %v", keys)
	}
}

// A provider without DPoP completes the flow with the default
// (if-supported): Bearer tokens, a dpop_not_bound event, no key kept.
func testDPoPProviderWithout(t *testing.T) {
	e := newE2E(t, e2eOptions{configHook: func(c map[string]any) { c["dpop"] = "if-supported" }})
	e.idp.EnableDPoP(false, false)
	ctx := e.browser
	e.login(ctx, "/", "bea")
	if tt := e.tokens(ctx, "sessionStorage")["token_type"]; tt != "Bearer" {
		t.Fatalf("token_type %v", tt)
	}
	if keys := e.dpopKeys(ctx); len(keys) != 0 {
		t.Fatalf("keys kept for a Bearer session: %v", keys)
	}
	if s := e.fetchStatus(ctx, e.idp.Issuer()+"/api/me"); s != 200 {
		t.Fatalf("/api/me: %d", s)
	}
}
