package gate

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// CheckOrigin accepts "https://host[:port]", or http on a loopback host,
// exactly as a browser serialises an origin (RFC 6454 §6.1); it reports
// whether it is loopback http.
func CheckOrigin(s string) (loopback bool, err error) {
	u, perr := url.Parse(s)
	if perr != nil || u.Host == "" || u.Scheme+"://"+u.Host != s || strings.ToLower(s) != s {
		return false, errors.New(`must be an origin such as "https://app.example.com" (lower case, no path)`)
	}
	switch {
	case u.Scheme == "https":
		return false, nil
	case u.Scheme == "http" && protocol.IsLoopback(u.Hostname()):
		return true, nil
	}
	return false, errors.New("must use https (http only on a loopback host)")
}
