package browsertest

import (
	"context"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium with a fresh profile, its tabs'
// consoles forwarded to the test log (see [Browser.Logf], [Browser.Expect]).
type Browser struct {
	tb    testing.TB
	path  string
	first context.Context

	mu       sync.Mutex
	expected []string
	problems []string
	closed   bool
}

// New finds Chromium for tb (see [RequireChromium]) without starting it,
// so that servers started before the browser can already log through
// [Browser.Logf].
func New(tb testing.TB) *Browser {
	tb.Helper()
	return &Browser{tb: tb, path: RequireChromium(tb)}
}

// Start launches the browser and returns its first tab, watched as
// "tab1". The browser ends with the test; unexpected console errors are
// reported just before.
func (b *Browser) Start() context.Context {
	b.tb.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(b.path),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(b.tb.TempDir()),
			chromedp.WindowSize(1280, 900),
		)...)
	ctx, cancel := chromedp.NewContext(alloc)
	b.tb.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		b.tb.Fatalf("starting Chromium: %v", err)
	}
	b.first = ctx
	b.watch(ctx, "tab1")
	b.tb.Cleanup(b.report)
	return ctx
}

// NewTab opens another tab of the started browser (same profile, same
// storage partition), watched under name.
func (b *Browser) NewTab(name string) context.Context {
	b.tb.Helper()
	ctx, cancel := chromedp.NewContext(b.first)
	b.tb.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.tb.Fatal(err)
	}
	b.watch(ctx, name)
	return ctx
}
