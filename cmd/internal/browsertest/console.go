package browsertest

import (
	"context"
	"strings"

	"github.com/chromedp/chromedp"
)

// Expect declares console errors the current test provokes on purpose: an
// error or exception whose text contains one of substrings does not fail
// the test.
func (b *Browser) Expect(substrings ...string) {
	b.mu.Lock()
	b.expected = append(b.expected, substrings...)
	b.mu.Unlock()
}

// watch forwards the console of a tab to the test log and records errors
// and uncaught exceptions that were not expected.
func (b *Browser) watch(ctx context.Context, name string) {
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.Logf("%s console %s (%s:%d)", name, m, m.URL, m.Line+1)
			if !m.IsException() && m.Type != chromedp.ConsoleError {
				continue
			}
			// A page without an icon link makes the browser ask for
			// /favicon.ico on its own: not the page's error.
			if strings.HasSuffix(m.URL, "/favicon.ico") {
				continue
			}
			b.problem(m.Text, m.String())
		}
	}()
}

// problem records a console error unless its text was expected.
func (b *Browser) problem(text, shown string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.expected {
		if strings.Contains(text, s) {
			return
		}
	}
	b.problems = append(b.problems, shown)
}

// report ends the log and fails the test with each unexpected error.
func (b *Browser) report() {
	b.mu.Lock()
	b.closed = true
	problems := b.problems
	b.mu.Unlock()
	for _, p := range problems {
		b.tb.Errorf("unexpected browser console error: %s", p)
	}
}
