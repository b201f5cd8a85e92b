package oauth

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The key set: fetched once and cached in the tab's storage; an unknown
// kid forces a refetch at most once a minute; a copy that fails to parse
// (tampered storage) is fetched again; a failed fetch is network_error.
func TestRemoteKeys(t *testing.T) {
	var fetches atomic.Int32
	status := 200
	body, _ := json.Marshal(testKeys())
	tr := TransportFunc(func(_ context.Context, r *Request) (*Response, error) {
		fetches.Add(1)
		if r.Method != "GET" || r.URL != "https://idp.example.com/keys" {
			t.Errorf("request %s %s", r.Method, r.URL)
		}
		return &Response{Status: status, Header: func(string) string { return "" }, Body: io.NopCloser(strings.NewReader(string(body)))}, nil
	})
	clock := newClock()
	tab := NewMemoryStorage()
	ctx := context.Background()
	rk := NewRemoteKeys("https://idp.example.com/keys", tr, tab, clock.Now, 0)
	for i, step := range []struct {
		refresh bool
		advance time.Duration
		fetches int32
	}{
		{false, 0, 1},               // first use
		{false, 0, 1},               // cached
		{true, 0, 2},                // unknown kid: refetch
		{true, 30 * time.Second, 2}, // again within a minute: not fetched
		{true, 31 * time.Second, 3}, // a minute later: fetched
		{false, KeySetMaxAge, 4},    // expired
	} {
		clock.Add(step.advance)
		ks, err := rk.KeySet(ctx, step.refresh)
		if err != nil || len(ks.Keys) != 1 || fetches.Load() != step.fetches {
			t.Fatalf("step %d: %v, %d fetches, want %d", i, err, fetches.Load(), step.fetches)
		}
	}
	// Another module instance in the same tab (the callback page) reuses
	// the stored copy, and the refetch limit with it.
	rk2 := NewRemoteKeys("https://idp.example.com/keys", tr, tab, clock.Now, 0)
	if _, err := rk2.KeySet(ctx, true); err != nil || fetches.Load() != 5 {
		t.Fatalf("second instance: %v, %d fetches", err, fetches.Load())
	}
	tab.Set(rk2.doc.cacheKey(), `{"v":1,"fetched":`+itoa(int(clock.Now().UnixMilli()))+`,"body":{"keys":7}}`)
	rk3 := NewRemoteKeys("https://idp.example.com/keys", tr, tab, clock.Now, 0)
	if _, err := rk3.KeySet(ctx, false); err != nil || fetches.Load() != 6 {
		t.Fatalf("tampered copy: %v, %d fetches", err, fetches.Load())
	}
	status = 503
	clock.Add(KeySetMaxAge)
	if _, err := rk3.KeySet(ctx, false); code(err) != CodeNetworkError {
		t.Fatalf("503: %v", err)
	}
	status = 404
	if _, err := rk3.KeySet(ctx, false); code(err) != CodeInvalidDiscovery {
		t.Fatalf("404: %v", err)
	}
}

// Any token through the verifier: a typed error or claims, never a panic.
func FuzzVerifyIDToken(f *testing.F) {
	f.Add(idToken(f, nil))
	f.Add(idToken(f, map[string]any{"aud": []any{"client-1", "x"}, "azp": "client-1"}))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c")
	v := &IDTokenVerifier{Issuer: "https://idp.example.com", ClientID: "client-1", Leeway: DefaultClockLeeway,
		Keys: StaticKeys{Set: testKeys()}, Signatures: rsaVerifier{}, Now: newClock().Now}
	f.Fuzz(func(t *testing.T, tok string) {
		claims, err := v.Verify(context.Background(), tok, IDTokenExpect{})
		if err != nil {
			if code(err) != CodeInvalidIDToken || FailedCheck(err) == "" {
				t.Fatalf("untyped refusal: %v", err)
			}
			return
		}
		if claims["iss"] != "https://idp.example.com" {
			t.Fatalf("accepted %v", claims)
		}
	})
}

// A fetch time or a forced-refetch time in the future (the clock went back
// since it was taken) counts as long ago: the document is fetched again,
// and a key-rotation refetch is not refused until the clock catches up.
// Afterwards the refetch limit holds again, by the new clock.
func TestRemoteKeysClockWentBack(t *testing.T) {
	var fetches atomic.Int32
	body, _ := json.Marshal(testKeys())
	tr := TransportFunc(func(context.Context, *Request) (*Response, error) {
		fetches.Add(1)
		return &Response{Status: 200, Header: func(string) string { return "" }, Body: io.NopCloser(strings.NewReader(string(body)))}, nil
	})
	clock := newClock()
	tab := NewMemoryStorage()
	ctx := context.Background()
	want := func(step string, refresh bool, n int32) {
		t.Helper()
		if ks, err := NewRemoteKeys("https://idp.example.com/keys", tr, tab, clock.Now, 0).KeySet(ctx, refresh); err != nil || len(ks.Keys) != 1 || fetches.Load() != n {
			t.Fatalf("%s: %v, %d fetches, want %d", step, err, fetches.Load(), n)
		}
	}
	rk := NewRemoteKeys("https://idp.example.com/keys", tr, tab, clock.Now, 0)
	get := func(step string, refresh bool, n int32) {
		t.Helper()
		if ks, err := rk.KeySet(ctx, refresh); err != nil || len(ks.Keys) != 1 || fetches.Load() != n {
			t.Fatalf("%s: %v, %d fetches, want %d", step, err, fetches.Load(), n)
		}
	}
	get("first use", false, 1)
	clock.Add(-10 * time.Minute)
	get("in memory, fetched 10 min in the future", false, 2)
	get("cached again", false, 2)
	get("unknown kid", true, 3)
	clock.Add(-10 * time.Minute)
	get("unknown kid, the last forced refetch 10 min in the future", true, 4)
	get("unknown kid again at once", true, 4)

	// The stored copy (another module instance): fetched a minute ago,
	// its last forced refetch in the future.
	now := clock.Now().UnixMilli()
	tab.Set(rk.doc.cacheKey(), `{"v":1,"fetched":`+itoa(int(now-60_000))+`,"forced":`+itoa(int(now+600_000))+`,"body":`+string(body)+`}`)
	want("stored copy", false, 4)
	want("stored copy, unknown kid", true, 5)
}
