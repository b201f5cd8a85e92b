package browsertest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// indexedDBJS reads gopkce's IndexedDB store (database "gopkce", store
// "kv") as an object; {} before gopkce created it. It is a function of
// the mapping of each value (a string, or an object such as a DPoP key
// record holding a CryptoKey).
const indexedDBJS = `(convert) => new Promise((resolve, reject) => {
	const r = indexedDB.open("gopkce");
	r.onerror = () => reject(r.error);
	r.onsuccess = () => {
		const db = r.result;
		if (!db.objectStoreNames.contains("kv")) { db.close(); resolve({}); return; }
		const tx = db.transaction("kv"), st = tx.objectStore("kv");
		const keys = st.getAllKeys(), vals = st.getAll();
		tx.oncomplete = () => { const out = {}; keys.result.forEach((k, i) => { const v = convert(vals.result[i]); if (v !== undefined) out[k] = v; }); db.close(); resolve(out); };
	};
})`

// Storage returns the page's "sessionStorage", "localStorage" or
// gopkce's IndexedDB store ("indexedDB", where tokens shared by every tab
// live) as a map.
func Storage(tb testing.TB, ctx context.Context, which string) map[string]string {
	tb.Helper()
	if which == "indexedDB" {
		return Eval[map[string]string](tb, ctx, `(`+indexedDBJS+`)(v => typeof v === "string" ? v : undefined)`)
	}
	return Eval[map[string]string](tb, ctx, `Object.fromEntries(Object.entries(`+which+`))`)
}

// IndexedDBRecords returns every entry of gopkce's IndexedDB store as
// JSON, objects included (a DPoP key record: a CryptoKey shows as {}),
// where [Storage] keeps the string values only.
func IndexedDBRecords(tb testing.TB, ctx context.Context) map[string]json.RawMessage {
	tb.Helper()
	return Eval[map[string]json.RawMessage](tb, ctx, `(`+indexedDBJS+`)(v => v)`)
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
