package oauth

import (
	"context"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// APIToken returns the token to attach, as "Authorization: Bearer", to a
// request for rawURL (RFC 6750 §2.1). It is what gopkce.fetch calls.
//
// The token is given only to the origins of [Config.APIOrigins]: any other
// origin, including a mistyped one, gets [CodeOriginNotAllowed] and no
// token, so that a wrong URL cannot leak it.
//
// rejected is empty for a first attempt. After the API answered 401 with
// a challenge, rejected is the token that was sent and challenge is the
// response's WWW-Authenticate header. When the challenge says
// error="invalid_token" (RFC 6750 §3.1), APIToken returns a refreshed token
// for one retry: a new one if another caller has refreshed since, else
// the result of a forced refresh. Otherwise it returns "" and the 401
// stands.
func (c *Client) APIToken(ctx context.Context, rawURL, rejected, challenge string) (string, error) {
	origin, err := requestOrigin(rawURL)
	if err != nil {
		return "", err
	}
	if !c.apiOriginAllowed(origin) {
		return "", NewError(CodeOriginNotAllowed, origin+" is not in apiOrigins: the token is sent only to the origins listed there, and nothing was sent")
	}
	if rejected == "" {
		return c.Token(ctx, TokenOptions{})
	}
	if BearerError(challenge) != "invalid_token" {
		return "", nil
	}
	tok, err := c.Token(ctx, TokenOptions{})
	if err != nil || tok != rejected {
		return tok, err
	}
	return c.Token(ctx, TokenOptions{ForceRefresh: true})
}

// apiOriginAllowed reports whether origin is one of the configured API
// origins; with none configured, the redirect URI's origin (the page's own)
// is the only one.
func (c *Client) apiOriginAllowed(origin string) bool {
	allowed := c.cfg.APIOrigins
	if len(allowed) == 0 {
		if o, err := requestOrigin(c.cfg.RedirectURI); err == nil {
			allowed = []string{o}
		}
	}
	for _, a := range allowed {
		if a == origin {
			return true
		}
	}
	return false
}

// requestOrigin returns the serialised origin of an absolute http(s) URL
// (RFC 6454 §6.1): lowercase scheme and host, default port dropped.
//
// URLs with user information are refused: the browser's fetch refuses
// them too, and "https://api.example@evil.example" must never read as the
// API's origin. So are the URLs [weburl.Parse] refuses (spaces, control
// characters, backslashes before the query), which a browser's Request.url
// never holds.
func requestOrigin(rawURL string) (string, error) {
	u, err := weburl.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", NewError(CodeInvalidArgument, "gopkce.fetch needs an absolute http or https URL without user information")
	}
	return u.Origin(), nil
}

// ParseAPIOrigin validates one entry of apiOrigins: an origin such as
// "https://api.example.com" (no path, query or fragment), https, or http
// on a loopback host. It returns the origin in serialised form.
func ParseAPIOrigin(s string) (string, error) {
	u, err := weburl.Parse(s)
	if err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.HasFragment {
		return "", configError("apiOrigins", "each entry must be an origin such as https://api.example.com, without path, query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !protocol.IsLoopback(u.Hostname()) {
			return "", configError("apiOrigins", "http is allowed on loopback hosts only: the token would cross the network in clear")
		}
	default:
		return "", configError("apiOrigins", "each entry must be an https origin (http on loopback only)")
	}
	return u.Origin(), nil
}

// BearerError returns the error parameter of the Bearer challenge in a
// WWW-Authenticate header (RFC 6750 §3, syntax of RFC 9110 §11.6.1), or ""
// when there is no Bearer challenge or it has no error.
func BearerError(header string) string {
	p := challengeParser{s: header}
	inBearer := false
	for !p.done() {
		p.skip(" \t,")
		if p.done() {
			break
		}
		tok := p.token()
		if tok == "" {
			return "" // malformed: give up rather than guess
		}
		p.skip(" \t")
		if p.peek() == '=' && !p.isToken68End() {
			// auth-param of the current challenge
			p.next()
			p.skip(" \t")
			val, ok := p.value()
			if !ok {
				return ""
			}
			if inBearer && strings.EqualFold(tok, "error") {
				return val
			}
			continue
		}
		// a new challenge: auth-scheme [ 1*SP ( token68 / params ) ]
		inBearer = strings.EqualFold(tok, "Bearer")
		p.skip(" \t")
		if p.isToken68() {
			p.token68()
		}
	}
	return ""
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
