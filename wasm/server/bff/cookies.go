package bff

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/server/internal/sealed"
)

// Cookie names: the session is sealed once and split into chunks named
// CookieName+"-0", "-1"... The __Host- prefix requires Secure, Path=/ and
// no Domain (RFC 6265bis §4.1.3.2), so a sibling subdomain cannot plant or
// shadow them; on a loopback http origin a Secure cookie is not stored,
// so the development name has none.
const (
	CookieName         = "__Host-gopkce-bff"
	LoopbackCookieName = "gopkce-bff"
)

// MaxCookieChunks and MaxChunkBytes bound the session's cookies: browsers
// keep at least 4096 bytes of name and value per cookie (RFC 6265 §6.1), so
// a chunk's name and value stay under 4000 bytes, and at most 4 chunks are
// written: a sealed session of at most 4 x 4000 bytes (about 11.8 kB of
// tokens). A token set beyond it is refused with server_error, and the
// previous session stays. Cognito-sized tokens take 2 chunks (web/doc/bff.md).
const (
	MaxCookieChunks = 4
	MaxChunkBytes   = 4000
)

// session is the sealed content of the cookies.
type session struct {
	V            int    `json:"v"`
	AccessToken  string `json:"at"`
	RefreshToken string `json:"rt,omitempty"`
	IDToken      string `json:"it,omitempty"`
	Scope        string `json:"sc,omitempty"`
	// Handle names this generation of the tokens (protocol.SessionHandle).
	Handle string `json:"h"`
	// AccessExpires is when the access token expires (Unix seconds).
	AccessExpires int64 `json:"ae"`
	// LoginAt is when the login completed; Expires is when the session's
	// cookies expire: LoginAt plus the refresh-token lifetime, or the
	// access token's expiry without a refresh token.
	LoginAt int64 `json:"lat"`
	Expires int64 `json:"exp"`
}

// jar seals the session into chunked cookies and opens them.
type jar struct {
	box    *sealed.Box
	base   string
	secure bool
}

func newJar(keys [][]byte, loopback bool, clientID, origin, tokenEndpoint string, rnd io.Reader) (*jar, error) {
	j := &jar{base: CookieName, secure: true}
	if loopback {
		j.base, j.secure = LoopbackCookieName, false
	}
	ad := []byte("gopkce/bff/v1\x00" + j.base + "\x00" + clientID + "\x00" + origin + "\x00" + tokenEndpoint)
	b, err := sealed.New(keys, ad, rnd)
	if err != nil {
		return nil, err
	}
	j.box = b
	return j, nil
}

func (j *jar) chunkName(i int) string { return j.base + "-" + strconv.Itoa(i) }

func cookieErr(code protocol.Code, desc string) *Error {
	return &Error{Code: string(code), Status: http.StatusUnauthorized, Description: desc}
}

// read opens the session: CookieMissing without one, CookieInvalid when
// the chunks do not open together (tampered, reordered, truncated, from
// another client, origin, provider or key), CookieExpired past its end.
func (j *jar) read(r *http.Request, now time.Time) (*session, error) {
	var value string
	for i := 0; i < MaxCookieChunks; i++ {
		c, err := r.Cookie(j.chunkName(i))
		if err != nil {
			break
		}
		value += c.Value
	}
	if value == "" {
		return nil, cookieErr(protocol.CookieMissing, "no session: log in")
	}
	plain, err := j.box.Open(value)
	if err != nil {
		return nil, cookieErr(protocol.CookieInvalid, "the session cookies were altered or sealed for another client")
	}
	var s session
	if json.Unmarshal(plain, &s) != nil || s.V != 1 || s.AccessToken == "" || s.Handle == "" {
		return nil, cookieErr(protocol.CookieInvalid, "the session cookies are malformed")
	}
	if now.Unix() >= s.Expires {
		return nil, cookieErr(protocol.CookieExpired, "the session is past its lifetime")
	}
	return &s, nil
}

// write seals s into as many chunks as it needs and clears the chunks r
// carried beyond them. Nothing is written when it does not fit.
func (j *jar) write(w http.ResponseWriter, r *http.Request, s *session, now time.Time) error {
	plain, _ := json.Marshal(s)
	value, err := j.box.Seal(plain)
	if err != nil {
		return &Error{Code: string(protocol.ServerError), Status: http.StatusInternalServerError, Description: "no random source"}
	}
	per := MaxChunkBytes - len(j.chunkName(MaxCookieChunks))
	n := (len(value) + per - 1) / per
	if n > MaxCookieChunks {
		return &Error{Code: string(protocol.ServerError), Status: http.StatusInternalServerError,
			Description: "the tokens are too large for the session cookies (" + strconv.Itoa(len(value)) + " bytes sealed; at most " + strconv.Itoa(MaxCookieChunks*per) + ")"}
	}
	maxAge := max(1, int(time.Unix(s.Expires, 0).Sub(now)/time.Second))
	for i := 0; i < n; i++ {
		part := value[i*per : min(len(value), (i+1)*per)]
		http.SetCookie(w, j.cookie(i, part, maxAge))
	}
	for i := n; i < MaxCookieChunks; i++ {
		if _, err := r.Cookie(j.chunkName(i)); err == nil {
			http.SetCookie(w, j.cookie(i, "", -1))
		}
	}
	return nil
}

// clear drops every chunk the browser may hold.
func (j *jar) clear(w http.ResponseWriter) {
	for i := 0; i < MaxCookieChunks; i++ {
		http.SetCookie(w, j.cookie(i, "", -1))
	}
}

// cookie is one chunk: HttpOnly (no JavaScript), SameSite=Strict, Path=/,
// Secure with the __Host- prefix on https.
func (j *jar) cookie(i int, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: j.chunkName(i), Value: value, Path: "/", HttpOnly: true, Secure: j.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: maxAge,
	}
}
