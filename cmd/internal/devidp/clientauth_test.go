package devidp

import (
	"encoding/base64"
	"net/url"
	"testing"
)

// basic is an RFC 6749 §2.3.1 Authorization header: each part
// form-urlencoded, then base64.
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func TestClientAuthentication(t *testing.T) {
	f := newFixture(t, Cognito)
	f.s.RegisterClient(Client{ID: "cog", Secret: "s3:cr%t", RedirectURIs: []string{redirect}})
	f.s.RegisterClient(Client{ID: "b2c", Secret: "b2c-secret", AuthMethod: ClientSecretPost, RedirectURIs: []string{redirect}})
	// With valid client authentication, a bogus refresh token gives
	// invalid_grant; otherwise the client is refused first.
	bogus := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"bogus"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range bogus {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
		status int
		code   string
	}{
		{"basic ok", with(), []string{"Authorization", basic("cog", "s3:cr%t")}, 400, "invalid_grant"},
		{"basic with matching client_id", with("client_id", "cog"), []string{"Authorization", basic("cog", "s3:cr%t")}, 400, "invalid_grant"},
		{"basic wrong secret", with(), []string{"Authorization", basic("cog", "nope")}, 401, "invalid_client"},
		{"basic not urlencoded", with(), []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("cog:s3:cr%t"))}, 401, "invalid_client"},
		{"basic client_id mismatch", with("client_id", "b2c"), []string{"Authorization", basic("cog", "s3:cr%t")}, 401, "invalid_client"},
		{"post for a basic client", with("client_id", "cog", "client_secret", "s3:cr%t"), nil, 401, "invalid_client"},
		{"no secret for a confidential client", with("client_id", "cog"), nil, 401, "invalid_client"},
		{"two methods", with("client_secret", "s3:cr%t"), []string{"Authorization", basic("cog", "s3:cr%t")}, 400, "invalid_request"},
		{"bearer scheme", with("client_id", "cog"), []string{"Authorization", "Bearer s3:cr%t"}, 401, "invalid_client"},
		{"post ok", with("client_id", "b2c", "client_secret", "b2c-secret"), nil, 400, "invalid_grant"},
		{"post wrong secret", with("client_id", "b2c", "client_secret", "b2c-secreT"), nil, 401, "invalid_client"},
		{"post empty secret", with("client_id", "b2c", "client_secret", ""), nil, 401, "invalid_client"},
		{"basic for a post client", with(), []string{"Authorization", basic("b2c", "b2c-secret")}, 401, "invalid_client"},
		{"public client with a secret", with("client_id", "spa", "client_secret", "x"), nil, 401, "invalid_client"},
		{"public client with Basic", with(), []string{"Authorization", basic("spa", "")}, 401, "invalid_client"},
		{"public client", with("client_id", "spa"), nil, 400, "invalid_grant"},
		{"unknown client", with("client_id", "ghost", "client_secret", "x"), nil, 401, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.token(t, tc.form, tc.header...)
			wantTokenError(t, r, tc.status, tc.code)
			if tc.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
}

func TestNewRefusesUnknownAuthMethod(t *testing.T) {
	if _, err := New("http://127.0.0.1:1", Options{Clients: []Client{{ID: "x", Secret: "s", AuthMethod: "private_key_jwt"}}}); err == nil {
		t.Fatal("private_key_jwt accepted")
	}
}
