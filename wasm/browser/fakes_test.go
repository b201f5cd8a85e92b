//go:build js && wasm

// Node fakes for the browser APIs that only Chromium has: Web Locks (and
// the duplicated-tab detection built on them) and page events; Node's own
// BroadcastChannel carries the cross-tab events.
package main

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// fakeLocks is a navigator.locks lookalike: exclusive locks granted in
// order, request(name, [options], callback) holding the lock until the
// callback's Promise settles, options.signal aborting a queued request, and
// query() listing held and pending locks. holdElsewhere(name) plays another
// tab holding name; it returns the function that releases it.
func fakeLocks() js.Value {
	return jsFunction.New(`
		const queues = new Map(), held = new Set();
		const pump = (name) => {
			if (held.has(name)) return;
			const q = queues.get(name) || [];
			const next = q.shift();
			if (!next) return;
			held.add(name);
			Promise.resolve().then(() => next.cb({name, mode: "exclusive"})).then(
				(v) => { held.delete(name); next.resolve(v); pump(name); },
				(e) => { held.delete(name); next.reject(e); pump(name); });
		};
		return {
			requests: 0,
			request(name, opts, cb) {
				if (typeof opts === "function") { cb = opts; opts = {}; }
				this.requests++;
				return new Promise((resolve, reject) => {
					const entry = {cb, resolve, reject};
					const abort = () => { const e = new Error("the request was aborted"); e.name = "AbortError"; return e; };
					if (opts.signal) {
						if (opts.signal.aborted) return reject(abort());
						opts.signal.addEventListener("abort", () => {
							const q = queues.get(name) || [];
							const i = q.indexOf(entry);
							if (i >= 0) { q.splice(i, 1); reject(abort()); }
						});
					}
					if (!queues.has(name)) queues.set(name, []);
					queues.get(name).push(entry);
					pump(name);
				});
			},
			query() {
				const pending = [];
				for (const [name, q] of queues) for (const _ of q) pending.push({name, mode: "exclusive"});
				return Promise.resolve({held: [...held].map((name) => ({name, mode: "exclusive"})), pending});
			},
			holdElsewhere(name) {
				let release;
				const p = new Promise((r) => { release = r; });
				this.request(name, () => p);
				return release;
			},
		};`).Invoke()
}

// withNavigatorLocks installs a fake navigator.locks (and page events) for
// the test, and restores the globals afterwards.
func withNavigatorLocks(t *testing.T) (locks js.Value, dispatch func(event string, detail js.Value)) {
	g := js.Global()
	oldNav, oldAdd := g.Get("navigator"), g.Get("addEventListener")
	locks = fakeLocks()
	nav := js.Global().Get("Object").New()
	nav.Set("locks", locks)
	events := jsFunction.New(`
		const listeners = {};
		return {
			add(type, fn) { (listeners[type] ||= []).push(fn); },
			fire(type, detail) { for (const fn of listeners[type] || []) fn(detail || {}); },
		};`).Invoke()
	// globalThis.navigator is a getter in newer Node: define it.
	g.Get("Object").Call("defineProperty", g, "navigator", map[string]any{"value": nav, "configurable": true, "writable": true})
	g.Set("addEventListener", events.Get("add").Call("bind", events))
	t.Cleanup(func() {
		g.Get("Object").Call("defineProperty", g, "navigator", map[string]any{"value": oldNav, "configurable": true, "writable": true})
		g.Set("addEventListener", oldAdd)
	})
	return locks, func(event string, detail js.Value) { events.Call("fire", event, detail) }
}

// heldLocks returns the names of held and pending locks.
func heldLocks(t *testing.T, locks js.Value) (held, pending []string) {
	t.Helper()
	state, err := await(locks.Call("query"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"held", "pending"} {
		list := state.Get(k)
		for i := 0; i < list.Length(); i++ {
			if k == "held" {
				held = append(held, list.Index(i).Get("name").String())
			} else {
				pending = append(pending, list.Index(i).Get("name").String())
			}
		}
	}
	return held, pending
}

// untilLocks polls the fake (each poll yields to the event loop) until
// cond holds, or fails after a bound.
func untilLocks(t *testing.T, locks js.Value, cond func(held, pending []string) bool) {
	t.Helper()
	for range 10000 {
		if cond(heldLocks(t, locks)) {
			return
		}
	}
	h, p := heldLocks(t, locks)
	t.Fatalf("lock state never reached: held %v, pending %v", h, p)
}

// The Web Locks locker serialises holders of the same name: the second
// runs only after the first returned, and the lock is released after each.
func TestWebLockerSerialises(t *testing.T) {
	locks, _ := withNavigatorLocks(t)
	l := newLocker()
	if l == nil {
		t.Fatal("no locker with navigator.locks")
	}
	var inside, most atomic.Int32
	enter := func() {
		if n := inside.Add(1); n > most.Load() {
			most.Store(n)
		}
	}
	firstIn, releaseFirst := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		l.WithLock(context.Background(), "gopkce:refresh:x", func(context.Context) error {
			enter()
			close(firstIn)
			<-releaseFirst
			inside.Add(-1)
			return nil
		})
	})
	<-firstIn
	secondRan := make(chan struct{})
	wg.Go(func() {
		l.WithLock(context.Background(), "gopkce:refresh:x", func(context.Context) error {
			enter()
			close(secondRan)
			inside.Add(-1)
			return nil
		})
	})
	untilLocks(t, locks, func(_, pending []string) bool { return len(pending) == 1 }) // the second waits
	select {
	case <-secondRan:
		t.Fatal("the second holder ran while the first held the lock")
	default:
	}
	close(releaseFirst)
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d holders at once", most.Load())
	}
	untilLocks(t, locks, func(held, pending []string) bool { return len(held) == 0 && len(pending) == 0 })
	// An error from fn comes back, and the lock is released all the same.
	boom := errors.New("boom")
	if err := l.WithLock(context.Background(), "gopkce:refresh:x", func(context.Context) error { return boom }); err != boom {
		t.Fatalf("err = %v", err)
	}
	untilLocks(t, locks, func(held, _ []string) bool { return len(held) == 0 })
}

// A panic inside the lock still releases it (the core recovers first, but
// a Web Lock held by a dead callback would block every tab).
func TestWebLockerReleasesOnPanic(t *testing.T) {
	locks, _ := withNavigatorLocks(t)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not come through")
			}
		}()
		newLocker().WithLock(context.Background(), "gopkce:refresh:p", func(context.Context) error { panic("boom") })
	}()
	untilLocks(t, locks, func(held, pending []string) bool { return len(held) == 0 && len(pending) == 0 })
}

// A caller that gives up while another tab holds the lock leaves the
// queue: fn never runs and nothing stays pending.
func TestWebLockerGivesUp(t *testing.T) {
	locks, _ := withNavigatorLocks(t)
	release := locks.Call("holdElsewhere", "gopkce:refresh:y")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ran := false
	err := newLocker().WithLock(ctx, "gopkce:refresh:y", func(context.Context) error { ran = true; return nil })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("err = %v, ran = %v", err, ran)
	}
	untilLocks(t, locks, func(_, pending []string) bool { return len(pending) == 0 })
	release.Invoke()
	untilLocks(t, locks, func(held, _ []string) bool { return len(held) == 0 })
}

// resetTabs forgets the page's duplicate check, so that each case starts
// as a new page.
func resetTabs() {
	tabOnce = sync.Once{}
	tabDone = make(chan struct{})
	tabDuplicate = false
}

// Duplicated-tab detection over Web Locks: a page whose copied tab id is
// held by a live tab is a duplicate (new id, refresh token dropped before
// any refresh); a new tab, a reload that was handed the id, and a tab whose
// id nobody holds are not.
func TestDuplicatedTabDetection(t *testing.T) {
	for _, tc := range []struct {
		name          string
		id, handedOn  string
		heldElsewhere bool
		duplicate     bool
	}{
		{"duplicate of a live tab", "tab-1", "", true, true},
		{"new tab", "", "", false, false},
		{"id nobody holds (a restored tab)", "tab-1", "", false, false},
		{"reload: the previous page handed the id on", "tab-1", "tab-1", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			locks, dispatch := withNavigatorLocks(t)
			resetTabs()
			t.Cleanup(resetTabs)
			store := webStorage{fakeStorage()}
			if tc.id != "" {
				store.Set(names.TabKey, tc.id)
			}
			if tc.handedOn != "" {
				store.Set(names.TabLeavingKey, tc.handedOn)
			}
			if tc.heldElsewhere {
				release := locks.Call("holdElsewhere", names.TabLockPrefix+tc.id)
				t.Cleanup(func() { release.Invoke() })
			}
			dropped := 0
			guard := &duplicateGuard{inner: oauth.NewMemoryLocker(), drop: func() { dropped++ }}
			detectDuplicate(store)
			ran := false
			guard.WithLock(context.Background(), "gopkce:refresh:z", func(context.Context) error { ran = true; return nil })
			if !ran || tabDuplicate != tc.duplicate {
				t.Fatalf("duplicate = %v, want %v", tabDuplicate, tc.duplicate)
			}
			want := 0
			if tc.duplicate {
				want = 1
			}
			if dropped != want {
				t.Fatalf("refresh token dropped %d times, want %d (before the refresh)", dropped, want)
			}
			id, _, _ := store.Get(names.TabKey)
			if id == "" || (tc.duplicate == (id == tc.id)) && tc.id != "" {
				t.Fatalf("tab id %q (copied %q)", id, tc.id)
			}
			// This page now holds its own id's lock for as long as it lives...
			untilLocks(t, locks, func(held, _ []string) bool { return contains(held, names.TabLockPrefix+id) })
			// ...and hands it on when it leaves.
			dispatch("pagehide", js.Undefined())
			if v, _, _ := store.Get(names.TabLeavingKey); v != id {
				t.Fatalf("pagehide left %q, want the id %q handed on", v, id)
			}
			if !tc.heldElsewhere || tc.duplicate {
				untilLocks(t, locks, func(held, _ []string) bool { return !contains(held, names.TabLockPrefix+id) })
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Cross-tab events travel over BroadcastChannel without a token: a message
// from another tab reaches the page with fromOtherTab and withdraws the
// fast path's token; this tab's events reach the others.
func TestEventChannel(t *testing.T) {
	g := js.Global()
	if !g.Get("BroadcastChannel").Truthy() {
		t.Fatal("this Node has no BroadcastChannel")
	}
	ns := jsFunction.New(`return { events: [], _emit(type, d) { this.events.push({type, fromOtherTab: d.fromOtherTab, expiresAt: d.expiresAt}); } };`).Invoke()
	old := g.Get("gopkce")
	g.Set("gopkce", ns)
	t.Cleanup(func() { g.Set("gopkce", old) })

	changed := make(chan struct{}, 4)
	ch := openEventChannel("gopkce:events:test", func() { changed <- struct{}{} })
	defer ch.close()
	other := jsFunction.New(`
		const bc = new BroadcastChannel("gopkce:events:test");
		const seen = [];
		bc.onmessage = (m) => seen.push(m.data);
		return { bc, seen };`).Invoke()
	defer other.Get("bc").Call("close")

	other.Get("bc").Call("postMessage", g.Get("JSON").Call("parse", `{"type":"tokens_changed","expiresAt":1234}`))
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("a message from another tab did not arrive")
	}
	got := g.Get("JSON").Call("stringify", ns.Get("events")).String()
	if got != `[{"type":"tokens_changed","fromOtherTab":true,"expiresAt":1234}]` {
		t.Fatalf("page heard %s", got)
	}
	ch.post(oauth.Event{Type: oauth.EventLoggedOut})
	ch.post(oauth.Event{Type: oauth.EventTokensChanged, ExpiresAt: time.UnixMilli(99)})
	for i := 0; other.Get("seen").Length() < 2; i++ {
		if i > 5000 {
			t.Fatal("this tab's events did not reach the other")
		}
		await(jsFunction.New(`return new Promise((r) => setTimeout(r, 1))`).Invoke()) // a macrotask: message delivery
	}
	seen := g.Get("JSON").Call("stringify", other.Get("seen")).String()
	if seen != `[{"type":"logged_out","code":""},{"type":"tokens_changed","code":"","expiresAt":99}]` {
		t.Fatalf("other tab saw %s", seen)
	}
	if strings.Contains(seen, "token\":") {
		t.Fatal("a token crossed the channel")
	}
}
