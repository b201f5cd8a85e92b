package browsertest

import (
	"context"
	"strings"
	"testing"
)

// indexedDBJS reads gopkce's IndexedDB store (database "gopkce", store
// "kv") as an object; {} before gopkce created it.
const indexedDBJS = `new Promise((resolve, reject) => {
	const r = indexedDB.open("gopkce");
	r.onerror = () => reject(r.error);
	r.onsuccess = () => {
		const db = r.result;
		if (!db.objectStoreNames.contains("kv")) { db.close(); resolve({}); return; }
		const tx = db.transaction("kv"), st = tx.objectStore("kv");
		const keys = st.getAllKeys(), vals = st.getAll();
		tx.oncomplete = () => { const out = {}; keys.result.forEach((k, i) => out[k] = vals.result[i]); db.close(); resolve(out); };
	};
})`

// Storage returns the page's "sessionStorage", "localStorage" or
// gopkce's IndexedDB store ("indexedDB", where tokens shared by every tab
// live) as a map.
func Storage(tb testing.TB, ctx context.Context, which string) map[string]string {
	tb.Helper()
	if which == "indexedDB" {
		return Eval[map[string]string](tb, ctx, indexedDBJS)
	}
	return Eval[map[string]string](tb, ctx, `Object.fromEntries(Object.entries(`+which+`))`)
}

// TokenRecords returns the stored token sets in which (see [Storage]):
// the JSON records under gopkce's "gopkce:tokens:" keys, by key.
func TokenRecords(tb testing.TB, ctx context.Context, which string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for k, v := range Storage(tb, ctx, which) {
		if strings.HasPrefix(k, "gopkce:tokens:") {
			out[k] = v
		}
	}
	return out
}
