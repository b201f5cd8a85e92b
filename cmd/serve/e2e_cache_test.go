package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// netLog records, from the Chrome DevTools Protocol's Network events, what
// each page load asked of the network.
type netLog struct {
	mu   sync.Mutex
	reqs map[network.RequestID]*netReq
}

type netReq struct {
	url    string
	cached bool    // from the memory or disk cache, no request sent
	bytes  float64 // bytes received from the network
}

func newNetLog(t *testing.T, ctx context.Context) *netLog {
	l := &netLog{reqs: map[network.RequestID]*netReq{}}
	if err := chromedp.Listen(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			l.reqs[ev.RequestID] = &netReq{url: ev.Request.URL}
		case *network.EventRequestServedFromCache:
			if r := l.reqs[ev.RequestID]; r != nil {
				r.cached = true
			}
		case *network.EventResponseReceived:
			if r := l.reqs[ev.RequestID]; r != nil && ev.Response.FromDiskCache {
				r.cached = true
			}
		case *network.EventLoadingFinished:
			if r := l.reqs[ev.RequestID]; r != nil {
				r.bytes = ev.EncodedDataLength
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	cdpRun(t, ctx, func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
		return err
	})
	return l
}

// take returns the requests recorded since the last take.
func (l *netLog) take() []netReq {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []netReq
	for _, r := range l.reqs {
		out = append(out, *r)
	}
	clear(l.reqs)
	return out
}

// sent counts the requests that reached the network and their bytes; of
// them, those for a .wasm.
func sent(reqs []netReq) (n int, bytes float64, wasm int) {
	for _, r := range reqs {
		if r.cached || strings.HasPrefix(r.url, "data:") {
			continue
		}
		n++
		bytes += r.bytes
		if strings.HasSuffix(strings.SplitN(r.url, "?", 2)[0], ".wasm") {
			wasm++
		}
	}
	return
}

// A repeat visit of the demo takes the module from the HTTP cache without
// a request: the site rewrites the loader's data-wasm to the hashed
// module, served immutable. The same page naming gopkce.wasm (ETag,
// no-cache) revalidates it: one request, a 304. The figures of both recipes are logged (web/doc/embedding.md).
func testDemoRepeatVisit(t *testing.T) {
	root := ensureBuilt(t)
	dir := t.TempDir()
	for _, f := range []string{"index.html", "app.js", "m2m.js", "style.css"} {
		b, err := os.ReadFile(filepath.Join(root, "web", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if f == "index.html" {
			// The ETag recipe: a data-wasm the site does not rewrite.
			etag := strings.Replace(string(b), `data-wasm="/gopkce.wasm"`, `data-wasm="gopkce.wasm"`, 1)
			if etag == string(b) {
				t.Fatal(`the demo page has no data-wasm="/gopkce.wasm"`)
			}
			if err := os.WriteFile(filepath.Join(dir, "etag.html"), []byte(etag), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	e := newE2E(t, e2eOptions{web: dir, gopkceFiles: true})
	ctx := e.browser
	l := newNetLog(t, ctx)
	hashedURL := regexp.MustCompile(`/gopkce\.[0-9a-f]{16}\.wasm$`)
	for _, tc := range []struct {
		page      string
		immutable bool
	}{{"/", true}, {"/etag.html", false}} {
		e.do(ctx, chromedp.Navigate("about:blank"))
		l.take()
		e.open(ctx, tc.page)
		e.wantOneModuleRequest(ctx)
		module := eval[string](e, ctx, `performance.getEntriesByType("resource").find(r => /\.wasm$/.test(new URL(r.name).pathname)).name`)
		if hashedURL.MatchString(module) != tc.immutable {
			t.Fatalf("%s loads the module from %s", tc.page, module)
		}
		first, firstBytes, _ := sent(l.take())

		e.do(ctx, chromedp.Navigate("about:blank"))
		l.take()
		e.open(ctx, tc.page)
		e.wantOneModuleRequest(ctx)
		reqs := l.take()
		n, bytes, wasm := sent(reqs)
		t.Logf("%s: first visit %d requests, %.0f bytes; repeat visit %d requests (%d for the module), %.0f bytes", tc.page, first, firstBytes, n, wasm, bytes)
		if tc.immutable && wasm != 0 {
			t.Errorf("%s, repeat visit: %d requests for the module, want none (the HTTP cache): %+v", tc.page, wasm, reqs)
		}
		if !tc.immutable && wasm != 1 {
			t.Errorf("%s, repeat visit: %d requests for the module, want one revalidation", tc.page, wasm)
		}
	}
}
