package gate

import "log/slog"

// RefusalLevel is the log level of a refusal answered with status and
// code: an error when the deployment, not the user, must act (a 5xx, or
// the provider refusing the client itself: RFC 6749 §5.2 invalid_client,
// unauthorized_client), a warning otherwise.
func RefusalLevel(status int, code string) slog.Level {
	if status >= 500 || code == "invalid_client" || code == "unauthorized_client" {
		return slog.LevelError
	}
	return slog.LevelWarn
}
