//go:build js && wasm

package main

import (
	"strconv"
	"syscall/js"
	"testing"
	"time"

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
