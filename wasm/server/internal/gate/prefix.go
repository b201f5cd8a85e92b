package gate

import (
	"errors"
	"strings"
)

// CheckPrefix accepts the path a server part is mounted under: it starts
// with "/" and does not end with one ("/oauth", "/bff"), so that
// prefix+"/token" is its token endpoint.
func CheckPrefix(prefix string) error {
	if !strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/") {
		return errors.New(`must start with "/" and not end with one`)
	}
	return nil
}
