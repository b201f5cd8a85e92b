//go:build js && wasm

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// Without BroadcastChannel a tab never hears that another tab logged out
// of the shared ("local") session: the loader must not answer from a
// published token then, or it would serve one Go no longer serves.
func TestFastPathOffWithoutBroadcastChannel(t *testing.T) {
	g := js.Global()
	ns := jsFunction.New(`return { records: [], _token(raw, stored) { this.records.push(raw); } };`).Invoke()
	old, bc := g.Get("gopkce"), g.Get("BroadcastChannel")
	g.Set("gopkce", ns)
	t.Cleanup(func() { g.Set("gopkce", old); g.Set("BroadcastChannel", bc) })
	until := time.Now().Add(time.Hour)

	if !fastPathSafe(oauth.StorageLocal) || !fastPathSafe(oauth.StorageSession) {
		t.Fatal("fast path refused with a BroadcastChannel")
	}
	g.Delete("BroadcastChannel")
	if fastPathSafe(oauth.StorageLocal) {
		t.Fatal("shared storage without BroadcastChannel: fast path still on")
	}
	if !fastPathSafe(oauth.StorageSession) || !fastPathSafe(oauth.StorageMemory) {
		t.Fatal("a tab's own session needs no BroadcastChannel")
	}
	(&fastPath{config: "{}", off: true}).publish("at", until)
	(&fastPath{config: "{}"}).publish("at", until)
	if got := g.Get("JSON").Call("stringify", ns.Get("records")).String(); got != `[null,"{\"c\":\"{}\",\"t\":\"at\",\"u\":`+itoa64(until.UnixMilli())+`}"]` {
		t.Fatalf("records handed to the loader: %s", got)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// The record kept for a reload names the token set it comes from and
// carries its hash; with no stored set, or one that does not hold the
// token, nothing is published.
func TestFastPathRecordBoundToTokenSet(t *testing.T) {
	g := js.Global()
	ns := jsFunction.New(`return { records: [], _token(raw, stored) { this.records.push(raw); } };`).Invoke()
	old := g.Get("gopkce")
	g.Set("gopkce", ns)
	t.Cleanup(func() { g.Set("gopkce", old) })
	store := webStorage{fakeStorage()}
	f := &fastPath{config: "{}", store: &store, key: "gopkce:tokens:c@i"}
	until := time.Now().Add(time.Hour)
	last := func() js.Value { r := ns.Get("records"); return r.Index(r.Length() - 1) }

	f.publish("at-1", until)
	if !last().IsNull() || f.last != "" {
		t.Fatalf("published without a stored token set: %v", last())
	}
	set := `{"v":1,"access_token":"at-1","expires_at":1}`
	store.Set(f.key, set)
	f.publish("at-1", until)
	rec, _, _ := store.Get(names.FastRecordKey)
	if last().String() != rec || !strings.Contains(rec, `"k":"gopkce:tokens:c@i","h":`+itoa64(setHash(set))+`}`) {
		t.Fatalf("record %s, stored %s: want the set's key and hash %d", last(), rec, setHash(set))
	}
	f.publish("at-2", until) // a token the stored set does not hold
	if rec, ok, _ := store.Get(names.FastRecordKey); !last().IsNull() || ok {
		t.Fatalf("a token not in the stored set was published: %v, stored %q", last(), rec)
	}
}

// The loader (web/gopkce.js) computes setHash over the same string as a
// JavaScript string: the two agree, surrogate pairs and non-ASCII included.
// The loader's function runs with the constants of its generated block.
func TestSetHashMatchesLoader(t *testing.T) {
	src, err := os.ReadFile("../../web/gopkce.js")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	excerpt := func(start, end string) string {
		i := strings.Index(s, start)
		j := strings.Index(s[max(i, 0):], end)
		if i < 0 || j < 0 {
			t.Fatalf("web/gopkce.js: no %q ... %q", start, end)
		}
		return s[i : i+j+len(end)]
	}
	consts := excerpt("  // BEGIN generated", "  // END generated\n")
	fn := excerpt("  function setHash(s) {", "\n  }\n")
	hash := jsFunction.New(consts + fn + "return setHash;").Invoke()
	seen := map[int64]bool{}
	for _, in := range []string{"", "a", "b", `{"v":1,"access_token":"eyJ.x_y-z","expires_at":1764000000000}`, "é ü €", "😀 𝄞", "\u2028\x00", strings.Repeat("gopkce", 4000)} {
		got, want := hash.Invoke(in).Float(), setHash(in)
		if got != float64(want) || want < 0 || want >= 1<<53 {
			t.Errorf("setHash(%q): loader %v, Go %d", in, got, want)
		}
		if seen[want] {
			t.Errorf("setHash(%q) = %d, a collision among the samples", in, want)
		}
		seen[want] = true
	}
}
