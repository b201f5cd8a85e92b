package oauth

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// CodeInsufficientUserAuthentication: an API refused the access token
// because the user's authentication is not strong or recent enough
// (RFC 9470 §3). [StepUpFrom] gives what it asked for; a login with those
// values (LoginOptions ACRValues, ACREssential and MaxAge) steps up.
const CodeInsufficientUserAuthentication = string(protocol.InsufficientUserAuthentication)

// StepUp is what an API's RFC 9470 challenge asked for.
type StepUp struct {
	// ACRValues is the challenge's acr_values, space-separated; "" when
	// absent.
	ACRValues string
	// MaxAge is the challenge's max_age in seconds; nil when absent or
	// not a whole number of seconds.
	MaxAge *int64
}

func (s *StepUp) Error() string {
	msg := "the API asks for a stronger or more recent sign-in"
	if s.ACRValues != "" {
		msg += " (acr_values " + strconv.Quote(s.ACRValues) + ")"
	}
	if s.MaxAge != nil {
		msg += " (max_age " + strconv.FormatInt(*s.MaxAge, 10) + ")"
	}
	return msg
}

// LoginOptions returns the options of the login that answers s: its
// acr_values as essential, and its max_age.
func (s *StepUp) LoginOptions() LoginOptions {
	return LoginOptions{ACRValues: s.ACRValues, ACREssential: s.ACRValues != "", MaxAge: s.MaxAge}
}

// StepUpFrom returns the [StepUp] an error carries, or nil.
func StepUpFrom(err error) *StepUp {
	var s *StepUp
	if errors.As(err, &s) {
		return s
	}
	return nil
}

// stepUpError makes the error for a Bearer challenge's parameters. The
// values are the API's; they are checked as a login's would be, and a
// malformed one is dropped rather than passed on.
func stepUpError(params map[string]string) *Error {
	s := &StepUp{}
	if acr := strings.Join(strings.Fields(params["acr_values"]), " "); acr != "" && len(acr) <= 1024 && !strings.ContainsAny(acr, "\x00") {
		s.ACRValues = acr
	}
	if n, err := strconv.ParseInt(params["max_age"], 10, 64); err == nil && n >= 0 && n <= maxMaxAge {
		s.MaxAge = &n
	}
	return &Error{Code: CodeInsufficientUserAuthentication, Status: 401, msg: "step-up needed", err: s}
}
