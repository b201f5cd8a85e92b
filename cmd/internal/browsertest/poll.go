package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Poll evaluates expression in the tab ctx until it is truthy and returns
// its value. A navigation that replaces the document under the poll starts
// it again; after [Timeout] the test fails.
func Poll[T any](tb testing.TB, ctx context.Context, expression string) T {
	tb.Helper()
	v, err := poll[T](ctx, expression)
	if err != nil {
		tb.Fatalf("never true: %s: %v", expression, err)
	}
	return v
}

// readyJS is the demo page's readiness: dataset.ready on the body is set
// when its start-up ends, "true" when it ended without an error.
const readyJS = `document.readyState !== "loading" && document.body && document.body.dataset.ready`

// Ready waits until the demo page in the tab ctx finished its start-up and
// returns the body's data-ready: "true" when it started without an error.
func Ready(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	v, err := poll[string](ctx, readyJS)
	if err != nil {
		tb.Fatalf("page never became ready: %v", err)
	}
	return v
}

// ReadyAfter runs steps that make the page navigate away (a logout through
// the provider, say) and waits until a new document of the demo finished
// its start-up, returning its data-ready as [Ready] does. The document the
// steps start from is marked first, so that it never passes for the new
// one while the browser has yet to leave it.
func ReadyAfter(tb testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) string {
	tb.Helper()
	Eval[bool](tb, ctx, `window.__browsertestLeft = true`)
	Do(tb, ctx, steps...)
	v, err := poll[string](ctx, `!window.__browsertestLeft && (`+readyJS+`)`)
	if err != nil {
		tb.Fatalf("no new page became ready: %v", err)
	}
	return v
}

func poll[T any](ctx context.Context, expression string) (T, error) {
	deadline := time.Now().Add(Timeout)
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := chromedp.Run(tctx, chromedp.Poll[T](expression, chromedp.WithPollingInterval(20*time.Millisecond)))
		cancel()
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return v, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
