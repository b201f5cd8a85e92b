package weburl

import (
	"errors"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// The fuzz targets compare weburl with net/url, the oracle: whatever weburl
// accepts, net/url accepts with the same parts; queries parse and encode
// byte for byte alike.

var urlSeeds = []string{
	"https://example.com",
	"https://example.com/",
	"https://Example.COM:8443/a/b?x=1&y=2#frag",
	"HTTPS://example.com/cb?code=a%20b&state=s+t",
	"http://127.0.0.1:8080/callback",
	"http://[::1]:5173/callback?code=x",
	"http://[::ffff:127.0.0.1]/",
	"http://[fe80::1%25en0]/",
	"http://[1.2.3.4]/",
	"http://[::1/",
	"https://user:pw@example.com/",
	"https://@example.com/",
	"https://example.com:/",
	"https://example.com:0/",
	"https://example.com:65536/",
	"https://example.com:443/",
	"http://example.com:80/",
	"https://example.com\\@evil.com/",
	"https://example.com/a\\b",
	"https://example.com/a b",
	"https://exa%6dple.com/",
	"https://example.com/%zz",
	"https://example.com/p%2Fq?x#y%41",
	"https://example.com/p?",
	"https://example.com/p??",
	"https://example.com/p?a?#",
	"https://example.com/p#",
	"https://example.com/p#a#b",
	"https://example.com/\"<>^`{|}!'()*[]",
	"https:example.com",
	"https:/example.com",
	"https:///example.com",
	"//example.com/",
	"/path?x#y",
	"/a%2",
	"/a#%zz",
	"/a\x01",
	"javascript:alert(1)",
	"https://example.com/authorize?Redirect_URI=x&%72esponse_type=code& client_id=1",
	"https://a.b-c_d~e.com/?q=%E2%82%AC",
	"https://example.com/\u00e9",
	"https://example.com/?a;b",
	"https://1.2.3.4:08080/",
	"https://example.com:8080:90/",
	"https://[::1]:80:90/",
	"https://[::1]x/",
	"https://[[::1]]/",
	"https://ex[ample.com/",
}

// FuzzParse: whenever Parse accepts, net/url accepts with the same scheme,
// host, hostname, port, path, escaped path, raw query and fragment, the
// same reassembled URL, and the origin gopkce derived from net/url.
func FuzzParse(f *testing.F) {
	for _, s := range urlSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		want, werr := url.Parse(s)
		if err == nil {
			if werr != nil {
				t.Fatalf("Parse(%q) accepted; net/url refuses: %v", s, werr)
			}
			sameURL(t, s, got, want)
			if want.Opaque != "" || want.User != nil || want.Host == "" {
				t.Fatalf("Parse(%q) accepted what net/url reads as opaque %q, user %v, host %q", s, want.Opaque, want.User, want.Host)
			}
			if o := originNetURL(want); got.Origin() != o {
				t.Fatalf("Parse(%q).Origin() = %q, net/url gives %q", s, got.Origin(), o)
			}
			want.Fragment, want.RawFragment = "", ""
			if got.StringNoFragment() != want.String() {
				t.Fatalf("Parse(%q).StringNoFragment() = %q, net/url gives %q", s, got.StringNoFragment(), want.String())
			}
		} else if werr == nil && want.User != nil && !errors.Is(err, ErrUserinfo) {
			// Without its user information, would it have been accepted?
			without := want.Scheme + "://" + s[strings.LastIndex(s, "@")+1:]
			if _, err2 := Parse(without); err2 == nil && strings.Count(s, "@") == 1 {
				t.Fatalf("Parse(%q) = %v, want ErrUserinfo", s, err)
			}
		}
		if err != nil && werr == nil && onlyDocumentedRefusals(s, want) {
			t.Fatalf("Parse(%q) = %v; net/url accepts it and it is none of the documented refusals", s, err)
		}
		if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
			got, err := ParseRef(s)
			if (err == nil) != (werr == nil) {
				t.Fatalf("ParseRef(%q) error %v, net/url error %v", s, err, werr)
			}
			if err == nil {
				sameURL(t, s, got, want)
			}
		}
	})
}

func sameURL(t *testing.T, s string, got *URL, want *url.URL) {
	t.Helper()
	for _, c := range []struct{ name, got, want string }{
		{"Scheme", got.Scheme, want.Scheme},
		{"Host", got.Host, want.Host},
		{"Hostname", got.Hostname(), want.Hostname()},
		{"Port", got.Port(), want.Port()},
		{"Path", got.Path, want.Path},
		{"EscapedPath", got.EscapedPath(), want.EscapedPath()},
		{"RawQuery", got.RawQuery, want.RawQuery},
		{"Fragment", got.Fragment, want.Fragment},
	} {
		if c.got != c.want {
			t.Fatalf("%q: %s = %q, net/url gives %q", s, c.name, c.got, c.want)
		}
	}
	if got.ForceQuery != want.ForceQuery {
		t.Fatalf("%q: ForceQuery = %v, net/url gives %v", s, got.ForceQuery, want.ForceQuery)
	}
}

// onlyDocumentedRefusals reports whether a URL that net/url accepted
// avoids everything the package documentation says Parse refuses; Parse
// must then accept it.
func onlyDocumentedRefusals(s string, u *url.URL) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	pre, _, _ := strings.Cut(s, "#")
	pre, _, _ = strings.Cut(pre, "?")
	if strings.Contains(pre, `\`) || u.Opaque != "" || u.User != nil || u.Hostname() == "" || strings.HasSuffix(u.Host, ":") {
		return false
	}
	if u.Scheme == "" || !strings.HasPrefix(s[len(u.Scheme):], "://") {
		return false
	}
	auth := s[len(u.Scheme)+3:]
	if i := strings.IndexAny(auth, "/?#"); i >= 0 {
		auth = auth[:i]
	}
	if auth != u.Host {
		return false // escapes in the host
	}
	h := u.Hostname()
	if strings.HasPrefix(u.Host, "[") {
		return !strings.Contains(h, "%")
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return false
		}
	}
	return true
}

// originNetURL is the origin derivation gopkce used with net/url.
func originNetURL(u *url.URL) string {
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// FuzzParseQuery: the same values and the same error-or-not as
// url.ParseQuery.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "a=1&b=2", "a=1&a=2", "a", "a=", "=x", "&&", "a=%zz&b=2", "a;b=1", "a=1;b=2&c=3",
		"a+b=c+d", "%61=%2B", "a=%", "a=%4", "state=x&state=y", "+redirect_uri=x", "%72edirect_uri=x",
		"a=1&b=%ZZ&c=%", "k=v%00", "a=%e2%82%ac", strings.Repeat("&", 10000), strings.Repeat("a&", 9999) + "a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseQuery(s)
		want, werr := url.ParseQuery(s)
		if (err == nil) != (werr == nil) {
			t.Fatalf("ParseQuery(%q) error %v, net/url error %v", s, err, werr)
		}
		if !reflect.DeepEqual(map[string][]string(got), map[string][]string(want)) {
			t.Fatalf("ParseQuery(%q) = %q, net/url gives %q", s, got, want)
		}
	})
}

// FuzzEncode: Values.Encode, QueryEscape and the path escaping equal
// net/url's.
func FuzzEncode(f *testing.F) {
	f.Add("redirect_uri", "https://app.example/cb?x=1", "scope", "openid email", "é ~-._*'()!$&+,/:;=?@#[]%")
	f.Add("", "", "a b", "\x00\xff", "/p a/t%h")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, v3 string) {
		got := Values{}
		want := url.Values{}
		for _, kv := range [][2]string{{k1, v1}, {k2, v2}, {k1, v3}} {
			got.Add(kv[0], kv[1])
			want.Add(kv[0], kv[1])
		}
		if g, w := got.Encode(), want.Encode(); g != w {
			t.Fatalf("Encode = %q, net/url gives %q", g, w)
		}
		for _, s := range []string{k1, v1, k2, v2, v3} {
			if g, w := QueryEscape(s), url.QueryEscape(s); g != w {
				t.Fatalf("QueryEscape(%q) = %q, net/url gives %q", s, g, w)
			}
			if s != "*" {
				if g, w := escapePath(s), (&url.URL{Path: s}).EscapedPath(); g != w {
					t.Fatalf("escapePath(%q) = %q, net/url gives %q", s, g, w)
				}
			}
		}
		if got.Get(k1) != want.Get(k1) || got.Has(k2) != want.Has(k2) {
			t.Fatal("Get or Has differ from net/url")
		}
	})
}

// FuzzIsLoopbackIP: the same answer as netip.ParseAddr(s) and IsLoopback,
// zones aside (Parse refuses them).
func FuzzIsLoopbackIP(f *testing.F) {
	for _, s := range []string{
		"127.0.0.1", "127.255.255.255", "127.0.0.01", "127.1", "128.0.0.1", "::1", "0::1", "0:0:0:0:0:0:0:1",
		"::ffff:127.0.0.1", "::ffff:7f00:1", "::127.0.0.1", "1::", "::", "::1:", ":::1", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:127.0.0.1.5", "00000::1", "localhost", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "%") {
			return
		}
		ip, err := netip.ParseAddr(s)
		want := err == nil && ip.IsLoopback()
		if got := IsLoopbackIP(s); got != want {
			t.Fatalf("IsLoopbackIP(%q) = %v, netip gives %v", s, got, want)
		}
		_, ok := parseIPv6(s)
		if wantV6 := err == nil && !ip.Is4(); ok != wantV6 {
			t.Fatalf("parseIPv6(%q) ok = %v, netip gives %v (%v)", s, ok, wantV6, err)
		}
	})
}
