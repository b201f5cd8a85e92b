package oauth

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// Storage is a string key-value store: in a browser sessionStorage, or
// IndexedDB for tokens shared by every tab; [MemoryStorage] elsewhere.
// Errors are returned, not swallowed: browsers throw on quota and on
// blocked storage.
type Storage interface {
	Get(key string) (value string, ok bool, err error)
	Set(key, value string) error
	Remove(key string) error
	// Keys returns the keys that start with prefix.
	Keys(prefix string) ([]string, error)
}

// MemoryStorage is a [Storage] in memory, safe for concurrent use.
type MemoryStorage struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemoryStorage returns an empty [MemoryStorage].
func NewMemoryStorage() *MemoryStorage { return &MemoryStorage{m: map[string]string{}} }

// Get implements [Storage].
func (s *MemoryStorage) Get(key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

// Set implements [Storage].
func (s *MemoryStorage) Set(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

// Remove implements [Storage].
func (s *MemoryStorage) Remove(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// Keys implements [Storage].
func (s *MemoryStorage) Keys(prefix string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// Locker runs fn while holding the named exclusive lock. In a browser it is
// the Web Locks API (navigator.locks.request), which serialises every tab of
// the origin; [MemoryLocker] serialises the goroutines of one process.
type Locker interface {
	WithLock(ctx context.Context, name string, fn func(ctx context.Context) error) error
}

// MemoryLocker is a [Locker] for one process: a mutex per name.
type MemoryLocker struct {
	mu    sync.Mutex
	locks map[string]chan struct{}
}

// NewMemoryLocker returns a [MemoryLocker].
func NewMemoryLocker() *MemoryLocker { return &MemoryLocker{locks: map[string]chan struct{}{}} }

// WithLock implements [Locker]; it gives up when ctx ends while waiting.
func (l *MemoryLocker) WithLock(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	l.mu.Lock()
	ch, ok := l.locks[name]
	if !ok {
		ch = make(chan struct{}, 1)
		l.locks[name] = ch
	}
	l.mu.Unlock()
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-ch }()
	return fn(ctx)
}

// Redeemer grants each key to exactly one caller, across every holder of
// the same storage, durably. [Client.HandleCallback] claims the callback's
// state before it exchanges the code: a duplicated browser tab holds a copy
// of the pending login (sessionStorage is copied), and when both tabs load
// the same callback URL only the first claim exchanges the code
// (RFC 6749 §4.1.2: a code is used once). The browser claims in IndexedDB,
// in one readwrite transaction, which every tab of the origin sees
// atomically; [MemoryRedeemer] serves one process.
type Redeemer interface {
	// Redeem reports whether this caller is the first to redeem key.
	Redeem(ctx context.Context, key string) (bool, error)
}

// MemoryRedeemer is a [Redeemer] in memory, safe for concurrent use.
type MemoryRedeemer struct {
	mu      sync.Mutex
	claimed map[string]bool
}

// NewMemoryRedeemer returns an empty [MemoryRedeemer].
func NewMemoryRedeemer() *MemoryRedeemer { return &MemoryRedeemer{claimed: map[string]bool{}} }

// Redeem implements [Redeemer].
func (m *MemoryRedeemer) Redeem(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claimed[key] {
		return false, nil
	}
	m.claimed[key] = true
	return true, nil
}
