package weburl

import (
	"errors"
	"strings"
)

// ErrUserinfo is returned by [Parse] for a URL with user information
// ("https://user:password@host/"), which gopkce never accepts (RFC 3986
// §3.2.1 deprecates passwords in URLs; RFC 6749 §3.1.2 endpoints carry
// none).
var ErrUserinfo = errors.New("weburl: URL carries user information")

// Error is a URL or query that does not parse. Its message never quotes
// the input, which may hold a code or a token.
type Error struct{ msg string }

func (e *Error) Error() string { return "weburl: " + e.msg }

func syntaxError(msg string) error { return &Error{msg} }

// URL is an absolute hierarchical URL, scheme://host[:port]/path?query#fragment,
// or (from [ParseRef]) a path on the same origin.
type URL struct {
	// Scheme is lowercase ("https"). Empty for [ParseRef].
	Scheme string
	// Host is host[:port] as written, an IPv6 literal in brackets
	// ("[::1]:8080"); not lowercased, like net/url's URL.Host.
	Host string
	// Path is the percent-decoded path; RawPath the path as written.
	Path, RawPath string
	// RawQuery is the query as written, without "?".
	RawQuery string
	// ForceQuery is an empty query written as a trailing "?", as net/url
	// sets it.
	ForceQuery bool
	// Fragment is the percent-decoded fragment; RawFragment as written,
	// without "#". HasFragment is a "#" present, even with nothing after it.
	Fragment, RawFragment string
	HasFragment           bool
}

// Parse parses an absolute URL with an authority, scheme://host[:port]
// followed by an optional path, query and fragment (RFC 3986 §3). See the
// package documentation for what it refuses that net/url accepts.
func Parse(s string) (*URL, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return nil, syntaxError("URL contains a control character, a space or a non-ASCII byte")
		}
	}
	scheme, rest, ok := cutScheme(s)
	if !ok {
		return nil, syntaxError("URL is not absolute (no scheme)")
	}
	u := &URL{Scheme: strings.ToLower(scheme)}
	rest, err := u.splitTail(rest)
	if err != nil {
		return nil, err
	}
	if strings.IndexByte(rest, '\\') >= 0 {
		return nil, syntaxError("URL contains a backslash before its query")
	}
	if !strings.HasPrefix(rest, "//") {
		return nil, syntaxError("URL has no authority (scheme://host)")
	}
	authority, path := rest[2:], ""
	if i := strings.IndexByte(authority, '/'); i >= 0 {
		authority, path = authority[:i], authority[i:]
	}
	if strings.IndexByte(authority, '@') >= 0 {
		return nil, ErrUserinfo
	}
	if err := checkHost(authority); err != nil {
		return nil, err
	}
	u.Host = authority
	if err := u.setPath(path); err != nil {
		return nil, err
	}
	return u, nil
}

// ParseRef parses a reference to a path on the current origin,
// "/path?query#fragment": it must start with a single "/". It accepts
// exactly what net/url's Parse accepts for such a string, so that stored
// values checked before keep passing.
func ParseRef(s string) (*URL, error) {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return nil, syntaxError("reference is not a path starting with a single /")
	}
	pre, _, _ := strings.Cut(s, "#")
	for i := 0; i < len(pre); i++ {
		if c := pre[i]; c < ' ' || c == 0x7f {
			return nil, syntaxError("reference contains a control character")
		}
	}
	u := &URL{}
	rest, err := u.splitTail(s)
	if err != nil {
		return nil, err
	}
	if err := u.setPath(rest); err != nil {
		return nil, err
	}
	return u, nil
}

// splitTail removes the fragment and the query from s, as net/url does:
// the fragment starts at the first "#", the query at the first "?" before
// it; a lone trailing "?" is ForceQuery.
func (u *URL) splitTail(s string) (string, error) {
	s, frag, hasFrag := strings.Cut(s, "#")
	if hasFrag {
		f, err := unescape(frag, false)
		if err != nil {
			return "", err
		}
		u.Fragment, u.RawFragment, u.HasFragment = f, frag, true
	}
	if strings.HasSuffix(s, "?") && strings.Count(s, "?") == 1 {
		u.ForceQuery = true
		s = s[:len(s)-1]
	} else {
		s, u.RawQuery, _ = strings.Cut(s, "?")
	}
	return s, nil
}

func (u *URL) setPath(p string) error {
	path, err := unescape(p, false)
	if err != nil {
		return err
	}
	u.Path, u.RawPath = path, p
	return nil
}

// cutScheme splits "scheme:rest" (RFC 3986 §3.1: a letter, then letters,
// digits, "+", "-", ".").
func cutScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return "", "", false
			}
		case c == ':' && i > 0:
			return s[:i], s[i+1:], true
		default:
			return "", "", false
		}
	}
	return "", "", false
}

// checkHost accepts host[:port]: a registered name of letters, digits,
// "-", ".", "_", "~" (an IPv4 address is one), or an IPv6 literal in
// brackets without a zone (RFC 3986 §3.2.2); the port is one or more
// digits (its range is the caller's to check).
func checkHost(hp string) error {
	host, port := hp, ""
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return syntaxError("IPv6 literal without ]")
		}
		if _, ok := parseIPv6(hp[1:end]); !ok {
			return syntaxError("host is not a valid IPv6 address")
		}
		host, port = "", hp[end+1:]
		if port != "" && port[0] != ':' {
			return syntaxError("unexpected characters after the IPv6 literal")
		}
	} else {
		if i := strings.IndexByte(hp, ':'); i >= 0 {
			host, port = hp[:i], hp[i:]
		}
		if host == "" {
			return syntaxError("URL has an empty host")
		}
		for i := 0; i < len(host); i++ {
			c := host[i]
			if !(isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
				return syntaxError("host contains a character other than letters, digits, -, ., _ and ~")
			}
		}
	}
	if port != "" {
		if len(port) == 1 {
			return syntaxError("URL has an empty port")
		}
		for i := 1; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return syntaxError("port is not a decimal number")
			}
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Hostname is the host without port and brackets, as net/url's
// URL.Hostname.
func (u *URL) Hostname() string {
	h, _ := splitHostPort(u.Host)
	return h
}

// Port is the port's digits, or "" when there is none, as net/url's
// URL.Port.
func (u *URL) Port() string {
	_, p := splitHostPort(u.Host)
	return p
}

func splitHostPort(hp string) (host, port string) {
	host = hp
	if i := strings.LastIndexByte(hp, ':'); i >= 0 && strings.IndexByte(hp[i:], ']') < 0 {
		host, port = hp[:i], hp[i+1:]
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	return host, port
}

// EscapedPath is the path as net/url's URL.EscapedPath gives it: as
// written when that is a valid encoding, else the decoded path escaped.
func (u *URL) EscapedPath() string {
	if validEncodedPath(u.RawPath) {
		return u.RawPath
	}
	return escapePath(u.Path)
}

// StringNoFragment reassembles an absolute URL without its fragment, as
// net/url's URL.String does for one that [Parse] accepted once its
// Fragment is cleared.
func (u *URL) StringNoFragment() string {
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme)
		b.WriteString("://")
	}
	b.WriteString(u.Host)
	b.WriteString(u.EscapedPath())
	if u.ForceQuery || u.RawQuery != "" {
		b.WriteByte('?')
		b.WriteString(u.RawQuery)
	}
	return b.String()
}

// Origin is the serialised origin of an http or https URL (RFC 6454 §6.2):
// lowercase scheme and host, the default port dropped, an IPv6 address in
// brackets.
func (u *URL) Origin() string {
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
