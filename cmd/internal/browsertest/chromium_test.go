package browsertest

import (
	"fmt"
	"runtime"
	"testing"
)

// outcomeTB records how a helper ended the test: Fatal, Skip or neither.
type outcomeTB struct {
	testing.TB // nil: any other method panics
	fatal      string
	skip       string
}

func (*outcomeTB) Helper()                 {}
func (o *outcomeTB) Fatal(args ...any)     { o.fatal = fmt.Sprint(args...); runtime.Goexit() }
func (o *outcomeTB) Skip(args ...any)      { o.skip = fmt.Sprint(args...); runtime.Goexit() }
func (o *outcomeTB) Errorf(string, ...any) { panic("unexpected Errorf") }

// requireOutcome runs RequireChromium on a recording TB.
func requireOutcome() (tb *outcomeTB, path string) {
	tb = &outcomeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		path = RequireChromium(tb)
	}()
	<-done
	return tb, path
}

// Without a browser a test skips, except in CI, where it fails.
func TestRequireChromiumFailsInCI(t *testing.T) {
	t.Setenv("GOPKCE_CHROME", "")
	old := candidates
	candidates = []string{"/nonexistent/chromium", "gopkce-no-such-browser"}
	t.Cleanup(func() { candidates = old })

	t.Setenv("CI", "true")
	if tb, _ := requireOutcome(); tb.fatal == "" || tb.skip != "" {
		t.Fatalf("CI set: fatal %q, skip %q; want a failure", tb.fatal, tb.skip)
	}
	t.Setenv("CI", "")
	if tb, _ := requireOutcome(); tb.skip == "" || tb.fatal != "" {
		t.Fatalf("CI unset: fatal %q, skip %q; want a skip", tb.fatal, tb.skip)
	}
	t.Setenv("GOPKCE_CHROME", "/opt/chrome")
	if tb, p := requireOutcome(); p != "/opt/chrome" || tb.skip != "" || tb.fatal != "" {
		t.Fatalf("GOPKCE_CHROME set: path %q, fatal %q, skip %q", p, tb.fatal, tb.skip)
	}
}
