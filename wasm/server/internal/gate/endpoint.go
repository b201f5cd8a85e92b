package gate

import (
	"errors"
	"net/url"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// CheckEndpoint accepts a provider or upstream URL: absolute, without
// credentials or fragment, https (RFC 6749 §3.1.2.1, §10.9), or http on a
// loopback host.
func CheckEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return errors.New("must be an absolute URL without credentials or fragment")
	}
	if u.Scheme == "https" || u.Scheme == "http" && protocol.IsLoopback(u.Hostname()) {
		return nil
	}
	return errors.New("must use https (http only on a loopback host)")
}
