package oauth

import "strings"

// BearerError returns the error parameter of the Bearer challenge in a
// WWW-Authenticate header (RFC 6750 §3, syntax of RFC 9110 §11.6.1), or ""
// when there is no Bearer challenge or it has no error.
func BearerError(header string) string { return ChallengeError(header, "Bearer") }

// ChallengeError returns the error parameter of the challenge of scheme
// ("Bearer", or "DPoP" for RFC 9449 §7.1) in a WWW-Authenticate header, or
// "" when there is no such challenge or it has no error.
func ChallengeError(header, scheme string) string { return ChallengeParams(header, scheme)["error"] }

// BearerParams returns the auth-params of the first Bearer challenge in a
// WWW-Authenticate header, names lowercased, or nil when there is none or
// the header is malformed before it ends.
func BearerParams(header string) map[string]string { return ChallengeParams(header, "Bearer") }

// ChallengeParams returns the auth-params of the first challenge of scheme
// in a WWW-Authenticate header, names lowercased, or nil when there is none
// or the header is malformed before it ends.
func ChallengeParams(header, scheme string) map[string]string {
	p := challengeParser{s: header}
	var params map[string]string
	inScheme := false
	for !p.done() {
		p.skip(" \t,")
		if p.done() {
			break
		}
		tok := p.token()
		if tok == "" {
			return params // malformed: give up rather than guess
		}
		p.skip(" \t")
		if p.peek() == '=' && !p.isToken68End() {
			// auth-param of the current challenge
			p.next()
			p.skip(" \t")
			val, ok := p.value()
			if !ok {
				return params
			}
			if inScheme {
				if k := strings.ToLower(tok); params[k] == "" {
					params[k] = val
				}
			}
			continue
		}
		// a new challenge: auth-scheme [ 1*SP ( token68 / params ) ]
		if params != nil {
			return params // the challenge ended
		}
		inScheme = strings.EqualFold(tok, scheme)
		if inScheme {
			params = map[string]string{}
		}
		p.skip(" \t")
		if p.isToken68() {
			p.token68()
		}
	}
	return params
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) done() bool { return p.i >= len(p.s) }

func (p *challengeParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *challengeParser) next() { p.i++ }

func (p *challengeParser) skip(set string) {
	for !p.done() && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

func isTchar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

func (p *challengeParser) token() string {
	start := p.i
	for !p.done() && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// isToken68End reports whether the '=' at the cursor ends a token68 (a
// run of '=' followed by the end, a comma or space) rather than starting a
// parameter value.
func (p *challengeParser) isToken68End() bool {
	j := p.i
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
		j++
	}
	return j == len(p.s) || p.s[j] == ','
}

// isToken68 reports whether a token68 starts at the cursor: its characters
// up to padding, then the end or a comma, and no '=' value after a token.
func (p *challengeParser) isToken68() bool {
	j := p.i
	for j < len(p.s) && (isTchar(p.s[j]) || p.s[j] == '/') {
		if p.s[j] == '=' {
			break
		}
		j++
	}
	if j == p.i {
		return false
	}
	k := j
	for k < len(p.s) && p.s[k] == '=' {
		k++
	}
	for k < len(p.s) && (p.s[k] == ' ' || p.s[k] == '\t') {
		k++
	}
	return k == len(p.s) || p.s[k] == ','
}

func (p *challengeParser) token68() {
	for !p.done() && (isTchar(p.s[p.i]) || p.s[p.i] == '/' || p.s[p.i] == '=') {
		p.i++
	}
}

// value reads a token or a quoted-string.
func (p *challengeParser) value() (string, bool) {
	if p.peek() != '"' {
		v := p.token()
		return v, v != ""
	}
	p.next()
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return b.String(), true
		case '\\':
			if p.done() {
				return "", false
			}
			b.WriteByte(p.s[p.i])
			p.i++
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}
