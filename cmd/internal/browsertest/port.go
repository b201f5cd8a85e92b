package browsertest

import (
	"net"
	"testing"
)

// FreePort returns a loopback port that was free a moment ago, for a
// server the test cannot hand a listener (wrangler dev, Vite).
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
