package protocol

import "strings"

// ErrorText is how an error of the core and of the server parts reads:
// "pkg: code", then ": msg" and ": cause" when there are any, so that a
// log line names who refused, the stable code, and why.
func ErrorText(pkg, code, msg string, cause error) string {
	var b strings.Builder
	b.WriteString(pkg)
	b.WriteString(": ")
	b.WriteString(code)
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if cause != nil {
		b.WriteString(": ")
		b.WriteString(cause.Error())
	}
	return b.String()
}
