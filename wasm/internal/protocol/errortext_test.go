package protocol

import (
	"errors"
	"testing"
)

func TestErrorText(t *testing.T) {
	cause := errors.New("connection refused")
	for _, tc := range []struct {
		msg   string
		cause error
		want  string
	}{
		{"", nil, "gopkce: network_error"},
		{"token request failed", nil, "gopkce: network_error: token request failed"},
		{"", cause, "gopkce: network_error: connection refused"},
		{"token request failed", cause, "gopkce: network_error: token request failed: connection refused"},
	} {
		if got := ErrorText("gopkce", "network_error", tc.msg, tc.cause); got != tc.want {
			t.Errorf("ErrorText = %q, want %q", got, tc.want)
		}
	}
}
