package tokenhandler

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gopkce/gopkce/wasm/server/internal/sealed"
)

// maxCookieBytes bounds a Set-Cookie value: browsers keep at least 4096
// bytes of name and value per cookie (RFC 6265 §6.1).
const maxCookieBytes = 4000

// sealedCookie is the plaintext of the refresh-token cookie.
type sealedCookie struct {
	V            int    `json:"v"`
	RefreshToken string `json:"rt"`
	// LoginAt is when the login that issued the grant completed (Unix
	// seconds); a rotated token keeps it, so the lifetime is not sliding.
	LoginAt int64 `json:"lat"`
	// Expires is LoginAt plus the configured refresh-token lifetime.
	Expires int64 `json:"exp"`
	// Grant is the browser's grant id for the login that set the cookie
	// ([protocol.GrantParam]); grant.go of the core explains it.
	Grant string `json:"gid,omitempty"`
}

// cookieBox seals and opens the cookie (wasm/server/internal/sealed):
// AES-GCM with additional data that binds the cookie to its name, client,
// origin and token endpoint, so a cookie sealed by another deployment
// sharing the key is refused as foreign. Cookies are sealed with the first
// key; previous keys still open them, so that a key can be replaced
// without ending every session.
type cookieBox struct{ box *sealed.Box }

func newCookieBox(keys [][]byte, name, clientID, origin, tokenEndpoint string, rnd io.Reader) (*cookieBox, error) {
	ad := []byte("gopkce/tokenhandler/v1\x00" + name + "\x00" + clientID + "\x00" + origin + "\x00" + tokenEndpoint)
	b, err := sealed.New(keys, ad, rnd)
	if err != nil {
		return nil, err
	}
	return &cookieBox{box: b}, nil
}

func (b *cookieBox) seal(s sealedCookie) (string, error) {
	plain, _ := json.Marshal(s)
	out, err := b.box.Seal(plain)
	if err != nil {
		return "", &Error{Code: CodeServerError, Status: http.StatusInternalServerError, Description: "no random source", err: err}
	}
	return out, nil
}

// open returns the cookie's content, or a typed error: CodeCookieInvalid
// when it does not authenticate, CodeCookieExpired past its lifetime.
func (b *cookieBox) open(value string, now time.Time) (sealedCookie, error) {
	var s sealedCookie
	plain, err := b.box.Open(value)
	if err != nil {
		if _, derr := base64.RawURLEncoding.DecodeString(value); derr != nil || len(value) < sealed.SealedLen(0) {
			return s, cookieErr(CodeCookieInvalid, "the session cookie is malformed")
		}
		return s, cookieErr(CodeCookieInvalid, "the session cookie was altered or sealed for another client")
	}
	if json.Unmarshal(plain, &s) != nil || s.V != 1 || s.RefreshToken == "" {
		return s, cookieErr(CodeCookieInvalid, "the session cookie is malformed")
	}
	if now.Unix() >= s.Expires {
		return s, cookieErr(CodeCookieExpired, "the refresh token is past its lifetime")
	}
	return s, nil
}

func cookieErr(code, desc string) *Error {
	return &Error{Code: code, Status: http.StatusBadRequest, Description: desc}
}

// setCookie writes the refresh-token cookie: HttpOnly (no JavaScript),
// SameSite=Strict, Path=/, Secure with the __Host- prefix on https
// (RFC 6265bis §4.1.3.2), expiring with the refresh token.
func (h *Handler) setCookie(w http.ResponseWriter, value string, expires time.Time, now time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: h.cookieName, Value: value, Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: max(1, int(expires.Sub(now)/time.Second)),
	})
}

// clearCookie tells the browser to drop the cookie.
func (h *Handler) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: h.cookieName, Value: "", Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1,
	})
}
