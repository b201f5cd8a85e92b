package browsertest

import (
	"os"
	"os/exec"
	"testing"
)

// candidates are the browsers looked for when $GOPKCE_CHROME is unset:
// Debian's chromium first.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}

// Chromium returns the browser's path: $GOPKCE_CHROME, then the first of
// the usual names found; "" when there is none.
func Chromium() string {
	if p := os.Getenv("GOPKCE_CHROME"); p != "" {
		return p
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// RequireChromium returns the browser's path. Without one it skips the
// test, except when $CI is set: a skipped browser test in CI is a
// failure, not a pass.
func RequireChromium(tb testing.TB) string {
	tb.Helper()
	p := Chromium()
	if p == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("Chromium not found (install Debian's chromium or set GOPKCE_CHROME); browser tests cannot be skipped in CI")
		}
		tb.Skip("Chromium not found: install Debian's chromium (./build.sh test does) or set GOPKCE_CHROME")
	}
	return p
}
