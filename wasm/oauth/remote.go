package oauth

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
)

// How long a discovery document and a key set are reused before they are
// fetched again, and how often an unknown kid may force a refetch of the
// key set (so that tokens naming random kids cannot make a tab hammer the
// provider).
const (
	DiscoveryMaxAge    = time.Hour
	KeySetMaxAge       = time.Hour
	KeySetRefetchAfter = time.Minute
)

// remoteDoc is one JSON document fetched with GET and cached twice: in
// memory, and in the tab's session storage so that the page that handles
// the callback (a fresh module instance) finds what startLogin prefetched.
// Concurrent callers share one fetch. A cached copy is parsed again when
// read, so a tampered entry is refused exactly like a bad response.
type remoteDoc struct {
	url, what string
	maxAge    time.Duration
	transport Transport
	cache     Storage // may be nil
	now       func() time.Time
	timeout   time.Duration
	parse     func([]byte) (any, error)

	fetchMu sync.Mutex // held while fetching: one request at a time
	mu      sync.Mutex
	val     any
	fetched time.Time
	forced  time.Time
}

// cachedDoc is the session-storage copy of a document:
// {"v":1,"fetched":ms,"forced":ms,"body":document}.
type cachedDoc struct {
	V       int
	Fetched int64 // ms
	Forced  int64 // ms; omitted when 0
	Body    []byte
}

// encode writes c as encoding/json wrote it before (body compacted by it
// then, written as fetched now: both read back the same).
func (c *cachedDoc) encode() []byte {
	var o jsonv.Object
	o.Int("v", int64(c.V))
	o.Int("fetched", c.Fetched)
	if c.Forced != 0 {
		o.Int("forced", c.Forced)
	}
	o.Raw("body", c.Body)
	return o.Bytes()
}

// decodeCachedDoc reads what encode wrote; the body comes back re-encoded,
// which gives the same value.
func decodeCachedDoc(raw string) (*cachedDoc, bool) {
	o, err := jsonv.DecodeObject([]byte(raw))
	if err != nil {
		return nil, false
	}
	f := jsonv.Fields{Object: o}
	c := &cachedDoc{V: int(f.Int64("v")), Fetched: f.Int64("fetched"), Forced: f.Int64("forced")}
	if f.Bad != "" {
		return nil, false
	}
	if c.Body, err = jsonv.Marshal(o["body"]); err != nil {
		return nil, false
	}
	return c, true
}

func (d *remoteDoc) cacheKey() string { return "gopkce:" + d.what + ":" + d.url }

// get returns the document, fetching it when there is none younger than
// maxAge. With force it fetches again unless a forced fetch happened less
// than KeySetRefetchAfter ago.
func (d *remoteDoc) get(ctx context.Context, force bool) (any, error) {
	d.mu.Lock()
	d.loadLocked()
	now := d.now()
	val, fetched := d.val, d.fetched
	doForce := force && since(now, d.forced) >= KeySetRefetchAfter
	d.mu.Unlock()
	if val != nil && since(now, fetched) < d.maxAge && !doForce {
		return val, nil
	}

	d.fetchMu.Lock()
	defer d.fetchMu.Unlock()
	d.mu.Lock()
	if d.val != nil && d.fetched.After(fetched) {
		// Someone fetched it while we waited.
		v := d.val
		d.mu.Unlock()
		return v, nil
	}
	if doForce {
		d.forced = now
	}
	forced := d.forced
	d.mu.Unlock()

	body, err := getDocument(ctx, d.transport, d.timeout, d.url, d.what)
	if err != nil {
		return nil, err
	}
	v, err := d.parse(body)
	if err != nil {
		return nil, err
	}
	at := d.now()
	d.mu.Lock()
	d.val, d.fetched = v, at
	d.mu.Unlock()
	if d.cache != nil {
		data := (&cachedDoc{V: 1, Fetched: at.UnixMilli(), Forced: forced.UnixMilli(), Body: body}).encode()
		d.cache.Set(d.cacheKey(), string(data)) // a cache that refuses a write costs a fetch, nothing else
	}
	return v, nil
}

// since is how long ago t was by now. A t in the future (the clock went
// back since it was taken) counts as infinitely long ago: trusting it would
// keep a stale document, or refuse a key-rotation refetch, until the clock
// caught up; treating it as stale costs one request, after which the times
// are the new clock's.
func since(now, t time.Time) time.Duration {
	if t.After(now) {
		return math.MaxInt64
	}
	return now.Sub(t)
}

// loadLocked reads the session-storage copy once, when memory has none.
func (d *remoteDoc) loadLocked() {
	if d.val != nil || d.cache == nil {
		return
	}
	raw, ok, err := d.cache.Get(d.cacheKey())
	if err != nil || !ok {
		return
	}
	if len(raw) > 2*maxDocumentBytes {
		d.cache.Remove(d.cacheKey())
		return
	}
	c, ok := decodeCachedDoc(raw)
	if !ok || c.V != 1 {
		d.cache.Remove(d.cacheKey())
		return
	}
	fetched := time.UnixMilli(c.Fetched)
	if d.now().Sub(fetched) >= d.maxAge || fetched.After(d.now()) {
		return
	}
	v, err := d.parse(c.Body)
	if err != nil {
		d.cache.Remove(d.cacheKey())
		return
	}
	d.val, d.fetched, d.forced = v, fetched, time.UnixMilli(c.Forced)
}

// RemoteKeys is a [KeySource] that fetches the provider's JWK Set from its
// jwks_uri with a [Transport], keeps it for [KeySetMaxAge], and fetches it
// again for an unknown kid at most once every [KeySetRefetchAfter].
type RemoteKeys struct{ doc *remoteDoc }

// NewRemoteKeys returns a key source for uri. cache (the tab's session
// storage in the browser) may be nil; now may be nil (time.Now).
func NewRemoteKeys(uri string, t Transport, cache Storage, now func() time.Time, timeout time.Duration) *RemoteKeys {
	if now == nil {
		now = time.Now
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &RemoteKeys{doc: &remoteDoc{
		url: uri, what: "jwks", maxAge: KeySetMaxAge, transport: t, cache: cache, now: now, timeout: timeout,
		parse: func(b []byte) (any, error) {
			ks, err := ParseKeySet(b)
			if err != nil {
				return nil, &Error{Code: CodeInvalidDiscovery, Field: "jwks", msg: "jwks: " + err.Error()}
			}
			return ks, nil
		},
	}}
}

// KeySet implements [KeySource].
func (r *RemoteKeys) KeySet(ctx context.Context, refresh bool) (*KeySet, error) {
	v, err := r.doc.get(ctx, refresh)
	if err != nil {
		return nil, err
	}
	return v.(*KeySet), nil
}

// newDiscovery returns the cached fetcher of a discovery document.
func newDiscovery(url, wantIssuer string, t Transport, cache Storage, now func() time.Time, timeout time.Duration) *remoteDoc {
	return &remoteDoc{
		url: url, what: "discovery", maxAge: DiscoveryMaxAge, transport: t, cache: cache, now: now, timeout: timeout,
		parse: func(b []byte) (any, error) { return ParseDiscovery(b, wantIssuer) },
	}
}
