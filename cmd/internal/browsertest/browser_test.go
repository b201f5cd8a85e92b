package browsertest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The harness against a real Chromium: evaluation, polls that outlive a
// navigation, storage of each kind, HttpOnly cookies, and the console
// watcher, which lets an expected error pass and records any other.
func TestBrowser(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sealed", Value: "v", Path: "/", HttpOnly: true})
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><link rel="icon" href="data:,"><body><button id="later" onclick="setTimeout(() => location.assign('/later?again'), 300)">later</button><script>
			sessionStorage.setItem("gopkce:tokens:a", '{"access_token":"x"}');
			sessionStorage.setItem("other", "y");
			console.error("expected failure");
			const r = indexedDB.open("gopkce", 1);
			r.onupgradeneeded = () => r.result.createObjectStore("kv");
			r.onsuccess = () => {
				const tx = r.result.transaction("kv", "readwrite");
				tx.objectStore("kv").put('{"access_token":"shared"}', "gopkce:tokens:b");
				tx.objectStore("kv").put({x: "1", y: "2"}, "gopkce:dpop-key:k");
				tx.oncomplete = () => { r.result.close(); document.body.dataset.ready = "true"; };
			};
		</script>`))
	})
	mux.HandleFunc("/later", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><link rel="icon" href="data:,"><body><script>
			setTimeout(() => { location.href = "/"; }, 300);
		</script>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := New(t)
	b.Expect("expected failure")
	tab := b.Start()

	// Ready polls across the navigation from /later to /.
	Do(t, tab, chromedp.Navigate(srv.URL+"/later"))
	if got := Ready(t, tab); got != "true" {
		t.Fatalf("ready %q", got)
	}
	if got := Eval[int](t, tab, `Promise.resolve(6 * 7)`); got != 42 {
		t.Fatalf("Eval: %d", got)
	}
	if got := Storage(t, tab, "sessionStorage"); got["other"] != "y" {
		t.Fatalf("sessionStorage %v", got)
	}
	if got := TokenRecords(t, tab, "sessionStorage"); len(got) != 1 || got["gopkce:tokens:a"] != `{"access_token":"x"}` {
		t.Fatalf("session token records %v", got)
	}
	if got := TokenRecords(t, tab, "indexedDB"); len(got) != 1 || got["gopkce:tokens:b"] != `{"access_token":"shared"}` {
		t.Fatalf("IndexedDB token records %v", got)
	}
	if got := Storage(t, tab, "indexedDB"); len(got) != 1 {
		t.Fatalf("IndexedDB strings %v: an object record is not a string", got)
	}
	if got := IndexedDBRecords(t, tab); len(got) != 2 || string(got["gopkce:dpop-key:k"]) != `{"x":"1","y":"2"}` || string(got["gopkce:tokens:b"]) != `"{\"access_token\":\"shared\"}"` {
		t.Fatalf("IndexedDB records %s", got)
	}
	if c := Cookies(t, tab, srv.URL+"/")["sealed"]; c == nil || !c.HTTPOnly || c.Value != "v" {
		t.Fatalf("cookie %+v", c)
	}
	if got := Eval[string](t, tab, `document.cookie`); got != "" {
		t.Fatalf("document.cookie %q: the HttpOnly cookie is visible", got)
	}

	// ReadyAfter waits for the next document, not the one it leaves:
	// this page, ready, stays for 300 ms after the click (as the demo does
	// while logout revokes), then goes to /later, which comes back.
	if got := ReadyAfter(t, tab, chromedp.Click(chromedp.ID("later"))); got != "true" {
		t.Fatalf("ReadyAfter %q", got)
	}
	if ref := Eval[string](t, tab, `document.referrer`); ref != srv.URL+"/later?again" {
		t.Fatalf("ReadyAfter returned on the page reached from %q, want the one from /later?again", ref)
	}

	// An unexpected error in a second tab is recorded.
	tab2 := b.NewTab("tab2")
	Do(t, tab2, chromedp.Navigate(srv.URL+"/"))
	Ready(t, tab2)
	Eval[bool](t, tab2, `console.error("a surprise"), true`)
	var problems []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b.mu.Lock()
		problems = slices.Clone(b.problems)
		b.mu.Unlock()
		if len(problems) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "a surprise") {
		t.Fatalf("recorded problems %q, want the surprise only", problems)
	}
	// Recorded as it should be; cleared so that it does not fail this test.
	b.mu.Lock()
	b.problems = nil
	b.mu.Unlock()
}
