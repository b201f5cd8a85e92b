package weburl

import (
	"slices"
	"strings"
)

// Values maps a query parameter to its values, like net/url's Values.
type Values map[string][]string

// Get returns the first value of key, or "".
func (v Values) Get(key string) string {
	if vs := v[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Set replaces the values of key with value.
func (v Values) Set(key, value string) { v[key] = []string{value} }

// Add appends value to the values of key.
func (v Values) Add(key, value string) { v[key] = append(v[key], value) }

// Del removes key.
func (v Values) Del(key string) { delete(v, key) }

// Has reports whether key is present.
func (v Values) Has(key string) bool {
	_, ok := v[key]
	return ok
}

// Encode serialises v as application/x-www-form-urlencoded
// ("bar=baz&foo=quux"), keys sorted, each key and value through
// [QueryEscape]: byte-for-byte net/url's Values.Encode.
func (v Values) Encode() string {
	if len(v) == 0 {
		return ""
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		ke := QueryEscape(k)
		for _, val := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(ke)
			b.WriteByte('=')
			b.WriteString(QueryEscape(val))
		}
	}
	return b.String()
}

// maxParams is net/url's default limit on the number of parameters
// (GODEBUG urlmaxqueryparams).
const maxParams = 10000

// ParseQuery parses an application/x-www-form-urlencoded query exactly as
// net/url's ParseQuery does: pairs separated by "&", "+" decoded as a
// space, percent-escapes decoded; a pair with a semicolon or a bad escape
// is skipped and reported as the first error, the other pairs are kept;
// more than 10,000 pairs is an error with no values.
func ParseQuery(query string) (Values, error) {
	m := Values{}
	if strings.Count(query, "&")+1 > maxParams {
		return m, syntaxError("query has more than 10000 parameters")
	}
	var err error
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if strings.IndexByte(pair, ';') >= 0 {
			err = syntaxError("invalid semicolon separator in query")
			continue
		}
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key, err1 := unescape(key, true)
		if err1 == nil {
			value, err1 = unescape(value, true)
		}
		if err1 != nil {
			if err == nil {
				err = err1
			}
			continue
		}
		m[key] = append(m[key], value)
	}
	return m, err
}

// QueryEscape escapes s for a query component: letters, digits and
// "-._~" stay, a space becomes "+", every other byte %XX (uppercase):
// net/url's QueryEscape.
func QueryEscape(s string) string { return escape(s, queryKeep) }

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// unescape decodes percent-escapes, and "+" as a space when plus is set
// (a query component). A "%" not followed by two hex digits is an error.
func unescape(s string, plus bool) (string, error) {
	n := 0
	hasPlus := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", syntaxError("invalid percent-escape")
			}
			n++
			i += 2
		case '+':
			hasPlus = hasPlus || plus
		}
	}
	if n == 0 && !hasPlus {
		return s, nil
	}
	b := make([]byte, 0, len(s)-2*n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '+' && plus:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

// Byte classes, as net/url's shouldEscape and validEncoded have them.
const (
	queryKeep = iota // QueryEscape: unreserved only
	pathKeep         // escape in path mode: unreserved and $&+,/:;=@
)

func keeps(c byte, mode int) bool {
	if isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~' {
		return true
	}
	if mode == pathKeep {
		switch c {
		case '$', '&', '+', ',', '/', ':', ';', '=', '@':
			return true
		}
	}
	return false
}

const upperhex = "0123456789ABCDEF"

func escape(s string, mode int) string {
	n, spaces := 0, 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !keeps(c, mode) {
			if c == ' ' && mode == queryKeep {
				spaces++
			} else {
				n++
			}
		}
	}
	if n == 0 && spaces == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case keeps(c, mode):
			b = append(b, c)
		case c == ' ' && mode == queryKeep:
			b = append(b, '+')
		default:
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return string(b)
}

func escapePath(s string) string { return escape(s, pathKeep) }

// validEncodedPath is net/url's validEncoded in path mode: the bytes an
// escaped path may keep, plus "!'()*[]" and "%".
func validEncodedPath(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '!', '\'', '(', ')', '*', '[', ']', '%':
		default:
			if !keeps(c, pathKeep) {
				return false
			}
		}
	}
	return true
}
