package tokenhandler

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// The cookie is bound to the browser's grant: a refresh that names another
// grant (its session is newer than the cookie, which an older refresh's
// answer set out of order) is refused as invalid_grant and the cookie is
// left alone; the grant it was sealed for refreshes.
func TestCookieBoundToGrant(t *testing.T) {
	f := newFixture(t, nil)
	in := exchangeForm()
	in.Set(protocol.GrantParam, "grant-A")
	r := f.do("/oauth/token", in, "", nil)
	if r.status != 200 || r.cookie == nil {
		t.Fatalf("exchange: %d %v", r.status, r.body)
	}
	cookie := r.cookie.Value
	calls := len(f.p.requests())
	other := refreshForm()
	other.Set(protocol.GrantParam, "grant-B")
	r = f.do("/oauth/token", other, cookie, nil)
	if r.status != 400 || r.code() != "invalid_grant" || r.cookie != nil {
		t.Fatalf("another grant's refresh: %d %v, cookie %v", r.status, r.body, r.cookie)
	}
	if len(f.p.requests()) != calls {
		t.Fatal("the provider was asked with another grant's cookie")
	}
	if !strings.Contains(f.logs.String(), "code="+CodeCookieInvalid) {
		t.Fatal("the log does not name cookie_invalid")
	}
	same := refreshForm()
	same.Set(protocol.GrantParam, "grant-A")
	if r = f.do("/oauth/token", same, cookie, nil); r.status != 200 {
		t.Fatalf("the cookie's own grant: %d %v", r.status, r.body)
	}
	long := exchangeForm()
	long.Set(protocol.GrantParam, strings.Repeat("g", maxGrantBytes+1))
	if r = f.do("/oauth/token", long, "", nil); r.status != 400 {
		t.Fatalf("an oversized grant id: %d", r.status)
	}
}

// The provider's error_description is dropped when it quotes a credential
// in an encoding: the Basic Authorization value, lower-case
// percent-encoding, HTML character references.
func TestProviderDescriptionQuotingEncodedSecretsDropped(t *testing.T) {
	lower := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02x", s[i])
		}
		return b.String()
	}
	ent := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "&#x%x;", r)
		}
		return b.String()
	}
	for _, tc := range []struct{ name, quote string }{
		{"Basic", "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID)+":"+url.QueryEscape(secret)))},
		{"lower-case percent secret", lower(secret)},
		{"entity secret", ent(secret)},
		{"entity refresh token", ent(firstRT)},
		{"named entities", strings.NewReplacer("%", "&percnt;", "&", "&amp;", ":", "&colon;").Replace(secret)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			cookie := f.login()
			f.p.setAnswer(func(w http.ResponseWriter, _ seen) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "not valid: " + tc.quote})
			})
			r := f.do("/oauth/token", refreshForm(), cookie, nil)
			if r.code() != "invalid_grant" || r.body["error_description"] != nil {
				t.Fatalf("%d %v", r.status, r.body)
			}
		})
	}
}
