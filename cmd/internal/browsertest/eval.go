package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds each browser step of [Do], [Eval] and [Poll].
const Timeout = 30 * time.Second

// Do runs steps in the tab ctx; an error fails the test.
func Do(tb testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		tb.Fatalf("browser: %v", err)
	}
}

// Eval evaluates expression in the tab ctx, awaiting a Promise, and
// decodes the result into a T; an error fails the test.
func Eval[T any](tb testing.TB, ctx context.Context, expression string) T {
	tb.Helper()
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expression, err)
	}
	return v
}
