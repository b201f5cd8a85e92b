package oauth

import (
	"context"
	"sync"
)

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
