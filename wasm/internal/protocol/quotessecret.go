package protocol

import (
	"encoding/base64"
	"strings"
)

// QuotesSecret reports whether provider text quotes one of secrets in any
// encoding a server may apply before echoing it: as is, percent-encoded
// (either case of hex, '+' for space), HTML-entity escaped (named, decimal
// or hexadecimal), those nested up to three deep, or base64 (standard or
// URL alphabet, at any byte alignment, padded or not). To catch an HTTP
// Basic Authorization header echoed back, pass its "id:secret" pair too
// (RFC 6749 §2.3.1: each part form-urlencoded). Empty secrets are
// ignored. A server drops text for which this is true instead of showing
// it.
func QuotesSecret(text string, secrets ...string) bool {
	views := decodedViews(text)
	needles := make([]string, 0, 8*len(secrets)+8)
	for _, s := range secrets {
		if s == "" {
			continue
		}
		needles = append(needles, s)
		needles = append(needles, base64Cores(s)...)
	}
	for _, v := range views {
		for _, n := range needles {
			if strings.Contains(v, n) {
				return true
			}
		}
	}
	return false
}

// decodedViews is text, and text with percent-encoding and HTML entities
// undone, in every order, up to three layers deep.
func decodedViews(text string) []string {
	views := []string{text}
	seen := map[string]bool{text: true}
	for frontier := []string{text}; len(frontier) > 0 && len(views) < 64; {
		var next []string
		for _, v := range frontier {
			for _, d := range []string{percentDecode(v, false), percentDecode(v, true), entityDecode(v)} {
				if !seen[d] {
					seen[d] = true
					views = append(views, d)
					next = append(next, d)
				}
			}
		}
		frontier = next
	}
	return views
}

// percentDecode undoes %XX (either case); a malformed escape stays as
// written. plus also turns '+' into a space, as a form decoder does.
func percentDecode(s string, plus bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(fromHex(s[i+1])<<4 | fromHex(s[i+2]))
			i += 2
		case c == '+' && plus:
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func fromHex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// asciiEntity is the character of an HTML named character reference of
// printable ASCII (WHATWG HTML §13.5): the characters a credential has. A
// switch, not a map, so that the browser build, which links this package
// but not this function, carries no table.
func asciiEntity(name string) (byte, bool) {
	switch name {
	case "excl":
		return '!', true
	case "quot", "QUOT":
		return '"', true
	case "num":
		return '#', true
	case "dollar":
		return '$', true
	case "percnt":
		return '%', true
	case "amp", "AMP":
		return '&', true
	case "apos":
		return '\'', true
	case "lpar":
		return '(', true
	case "rpar":
		return ')', true
	case "ast", "midast":
		return '*', true
	case "plus":
		return '+', true
	case "comma":
		return ',', true
	case "period":
		return '.', true
	case "sol":
		return '/', true
	case "colon":
		return ':', true
	case "semi":
		return ';', true
	case "lt", "LT":
		return '<', true
	case "equals":
		return '=', true
	case "gt", "GT":
		return '>', true
	case "quest":
		return '?', true
	case "commat":
		return '@', true
	case "lsqb", "lbrack":
		return '[', true
	case "bsol":
		return '\\', true
	case "rsqb", "rbrack":
		return ']', true
	case "Hat":
		return '^', true
	case "lowbar", "UnderBar":
		return '_', true
	case "grave", "DiacriticalGrave":
		return '`', true
	case "lcub", "lbrace":
		return '{', true
	case "verbar", "vert", "VerticalLine":
		return '|', true
	case "rcub", "rbrace":
		return '}', true
	case "tilde", "DiacriticalTilde":
		return '~', true
	case "hyphen", "dash":
		return '-', true
	case "nbsp":
		return ' ', true
	}
	return 0, false
}

// entityDecode undoes HTML character references: &name; for the ASCII
// names above, &#NN; and &#xHH; (the semicolon optional, as browsers
// read them). Anything else stays as written.
func entityDecode(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			b.WriteByte(s[i])
			continue
		}
		if r, n := entityAt(s[i+1:]); n > 0 {
			b.WriteRune(r)
			i += n
			continue
		}
		b.WriteByte('&')
	}
	return b.String()
}

// entityAt reads a character reference after '&': the character and how
// many bytes it took, or 0.
func entityAt(s string) (rune, int) {
	if strings.HasPrefix(s, "#") {
		i, base := 1, 10
		if len(s) > 1 && (s[1] == 'x' || s[1] == 'X') {
			i, base = 2, 16
		}
		start, v := i, 0
		for ; i < len(s) && i-start < 8; i++ {
			c := s[i]
			if base == 10 && '0' <= c && c <= '9' || base == 16 && isHex(c) {
				v = v*base + int(fromHex(c))
				continue
			}
			break
		}
		if i == start || v > 0x10FFFF {
			return 0, 0
		}
		if i < len(s) && s[i] == ';' {
			i++
		}
		return rune(v), i
	}
	end := strings.IndexByte(s, ';')
	if end <= 0 || end > 20 {
		return 0, 0
	}
	if c, ok := asciiEntity(s[:end]); ok {
		return rune(c), end + 1
	}
	return 0, 0
}

// base64Cores are the parts of s's base64 that do not depend on the bytes
// around it, at each of the three alignments, in both alphabets: a
// description that contains one contains s base64-encoded. Shorter cores
// than 8 characters are not kept (they could match by chance).
func base64Cores(s string) []string {
	var out []string
	for off := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x00", off) + s))
		full := base64.StdEncoding.EncodeToString([]byte(s))
		cores := []string{strings.TrimRight(full, "=")}
		if off > 0 || len(s)%3 != 0 {
			// Drop the groups that mix in neighbouring bytes.
			lo, hi := 0, len(enc)-4
			if off > 0 {
				lo = 4
			}
			if hi > lo {
				cores = append(cores, enc[lo:hi])
			}
		}
		for _, c := range cores {
			if len(c) < 8 {
				continue
			}
			out = append(out, c, strings.NewReplacer("+", "-", "/", "_").Replace(c))
		}
	}
	return out
}
