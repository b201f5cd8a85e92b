package protocol

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func lowerPercent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02x", s[i])
	}
	return b.String()
}

func entities(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// Every encoding a provider may echo a credential in is caught; text that
// does not quote it is kept.
func TestQuotesSecret(t *testing.T) {
	const id, secret = "client-1", "s3cr3t/+=&Value~x"
	basic := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	for _, tc := range []struct{ name, text string }{
		{"as is", "bad secret " + secret},
		{"query-escaped", "bad " + url.QueryEscape(secret)},
		{"lower-case percent", "bad " + lowerPercent(secret)},
		{"decimal entities", "bad " + entities(secret, "&#%d;")},
		{"hex entities", "bad " + entities(secret, "&#x%x;")},
		{"named entities", "bad " + strings.NewReplacer("/", "&sol;", "+", "&plus;", "=", "&equals;", "&", "&amp;", "~", "&tilde;").Replace(secret)},
		{"entities of percent", "bad " + strings.ReplaceAll(url.QueryEscape(secret), "%", "&#37;")},
		{"percent of entities", "bad " + url.QueryEscape(entities(secret, "&#%d;"))},
		{"Basic header", "got Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(basic))},
		{"Basic header, URL alphabet", "got " + base64.RawURLEncoding.EncodeToString([]byte(basic))},
		{"base64 at an offset", "got " + base64.StdEncoding.EncodeToString([]byte("xy"+secret+"z"))},
	} {
		if !QuotesSecret(tc.text, secret, basic) {
			t.Errorf("%s: %q not caught", tc.name, tc.text)
		}
	}
	for _, text := range []string{"", "The refresh token has expired.", "invalid client s3cr3t", "AADSTS700082: &amp; %41"} {
		if QuotesSecret(text, secret, basic, "") {
			t.Errorf("%q: flagged without quoting the secret", text)
		}
	}
}
