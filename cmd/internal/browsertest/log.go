package browsertest

import (
	"io"
	"strings"
	"testing"
)

// Logf writes to the test log, shared by the browser's consoles and the
// servers under test. It is silent once the test ends (late messages of a
// closing browser) and in benchmarks.
func (b *Browser) Logf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, bench := b.tb.(*testing.B); !b.closed && !bench {
		b.tb.Logf(format, args...)
	}
}

// Writer is an [io.Writer] onto [Browser.Logf], one log line a write,
// each prefixed with prefix: a server's access log, for example.
func (b *Browser) Writer(prefix string) io.Writer { return logWriter{b, prefix} }

type logWriter struct {
	b      *Browser
	prefix string
}

func (w logWriter) Write(p []byte) (int, error) {
	w.b.Logf("%s%s", w.prefix, strings.TrimSpace(string(p)))
	return len(p), nil
}
