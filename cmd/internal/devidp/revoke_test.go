package devidp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// revoke posts form to /oauth2/revoke with optional header pairs.
func (f *fixture) revoke(t *testing.T, form url.Values, header ...string) tokenResp {
	t.Helper()
	return f.postForm(t, "/oauth2/revoke", form, header...)
}

// login returns a fresh access and refresh token of client spa.
func (f *fixture) login(t *testing.T) (at, rt string) {
	t.Helper()
	r := f.token(t, exchangeForm(f.code(t, authQuery(), "bob"), verifier))
	return r.body["access_token"].(string), r.body["refresh_token"].(string)
}

func (f *fixture) apiStatus(t *testing.T, at string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	resp, err := f.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRevokeRefreshTokenEndsGrant(t *testing.T) {
	for _, hint := range []string{"refresh_token", "", "access_token", "unknown_hint"} {
		t.Run("hint="+hint, func(t *testing.T) {
			f := newFixture(t, Cognito)
			at, rt := f.login(t)
			form := url.Values{"token": {rt}, "client_id": {"spa"}}
			if hint != "" {
				form.Set("token_type_hint", hint)
			}
			if r := f.revoke(t, form); r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("revoke: %d %v", r.status, r.body)
			}
			if f.s.RefreshTokenValid(rt) || f.s.Revocations() != 1 {
				t.Fatalf("refresh token still valid after revocation (revocations %d)", f.s.Revocations())
			}
			wantTokenError(t, f.token(t, refreshForm(rt)), 400, "invalid_grant")
			if s := f.apiStatus(t, at); s != 401 {
				t.Fatalf("access token of the revoked grant: %d, want 401", s)
			}
			// Idempotent: revoking again is still 200 (RFC 7009 §2.2).
			if r := f.revoke(t, form); r.status != 200 {
				t.Fatalf("second revoke: %d", r.status)
			}
		})
	}
}

func TestRevokeAccessTokenEndsGrant(t *testing.T) {
	f := newFixture(t, Rotating)
	at, rt := f.login(t)
	if r := f.revoke(t, url.Values{"token": {at}, "token_type_hint": {"access_token"}, "client_id": {"spa"}}); r.status != 200 {
		t.Fatalf("revoke: %d %v", r.status, r.body)
	}
	if f.s.RefreshTokenValid(rt) || f.apiStatus(t, at) != 401 {
		t.Fatal("grant survived the revocation of its access token")
	}
}

func TestRevokeRefusals(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.RegisterClient(Client{ID: "other", RedirectURIs: []string{redirect}})
	f.s.RegisterClient(Client{ID: "conf", Secret: "s3cret", RedirectURIs: []string{redirect}})
	_, rt := f.login(t)

	// Unknown and garbage tokens: 200, nothing revoked (RFC 7009 §2.2).
	for _, tok := range []string{"nope", noneToken(f.s.Issuer())} {
		if r := f.revoke(t, url.Values{"token": {tok}, "client_id": {"spa"}}); r.status != 200 {
			t.Fatalf("unknown token: %d", r.status)
		}
	}
	wantTokenError(t, f.revoke(t, url.Values{"client_id": {"spa"}}), 400, "invalid_request")
	// Another client's token is refused and stays valid.
	wantTokenError(t, f.revoke(t, url.Values{"token": {rt}, "client_id": {"other"}}), 400, "unauthorized_client")
	// Client authentication as at the token endpoint.
	r := f.revoke(t, url.Values{"token": {rt}, "client_id": {"ghost"}})
	wantTokenError(t, r, 401, "invalid_client")
	if r.header.Get("WWW-Authenticate") == "" {
		t.Fatal("invalid_client without WWW-Authenticate")
	}
	wantTokenError(t, f.revoke(t, url.Values{"token": {rt}, "client_id": {"spa"}, "client_secret": {"x"}}), 401, "invalid_client")
	wantTokenError(t, f.revoke(t, url.Values{"token": {rt}, "client_id": {"conf"}}), 401, "invalid_client")
	wantTokenError(t, f.revoke(t, url.Values{"token": {rt}}, "Authorization", basic("conf", "wrong")), 401, "invalid_client")
	// A confidential client that authenticates may still not revoke spa's token.
	wantTokenError(t, f.revoke(t, url.Values{"token": {rt}}, "Authorization", basic("conf", "s3cret")), 400, "unauthorized_client")
	if !f.s.RefreshTokenValid(rt) || f.s.Revocations() != 0 {
		t.Fatal("a refused revocation revoked the token")
	}
	// Only POST with a form.
	resp, err := f.hc.Get(f.srv.URL + "/oauth2/revoke?token=" + url.QueryEscape(rt) + "&client_id=spa")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
	wantTokenError(t, f.revoke(t, url.Values{"token": {rt}, "client_id": {"spa"}}, "Content-Type", "application/json"), 400, "invalid_request")
	if !f.s.RefreshTokenValid(rt) {
		t.Fatal("a refused revocation revoked the token")
	}
}

func TestRevokeCORSAndDiscovery(t *testing.T) {
	f := newFixture(t, Cognito)
	req, _ := http.NewRequest("OPTIONS", f.srv.URL+"/oauth2/revoke", nil)
	req.Header.Set("Origin", "http://127.0.0.1:8080")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := f.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8080" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = f.hc.Get(f.srv.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if d["revocation_endpoint"] != f.s.Issuer()+"/oauth2/revoke" {
		t.Fatalf("revocation_endpoint %v", d["revocation_endpoint"])
	}
}
