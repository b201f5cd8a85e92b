package gate

import (
	"log/slog"
	"testing"
)

func TestRefusalLevel(t *testing.T) {
	for _, c := range []struct {
		status int
		code   string
		want   slog.Level
	}{
		{500, "server_error", slog.LevelError},
		{504, "temporarily_unavailable", slog.LevelError},
		{401, "invalid_client", slog.LevelError},
		{400, "unauthorized_client", slog.LevelError},
		{400, "invalid_grant", slog.LevelWarn},
		{403, "forbidden", slog.LevelWarn},
		{499, "invalid_request", slog.LevelWarn},
	} {
		if got := RefusalLevel(c.status, c.code); got != c.want {
			t.Errorf("RefusalLevel(%d, %q) = %v, want %v", c.status, c.code, got, c.want)
		}
	}
}
