package oauth

import (
	"context"
	"sync"
	"time"
)

// Redeemer grants each key to exactly one caller, across every holder of
// the same storage, durably. [Client.HandleCallback] redeems the callback's
// state before it exchanges the code: a duplicated browser tab holds a copy
// of the pending login (sessionStorage is copied), and when both tabs load
// the same callback URL only the first redemption exchanges the code
// (RFC 6749 §4.1.2: a code is used once). The browser redeems in IndexedDB,
// in one readwrite transaction, which every tab of the origin sees
// atomically; [MemoryRedeemer] serves one process.
type Redeemer interface {
	// Redeem reports whether this caller is the first to redeem key.
	Redeem(ctx context.Context, key string) (bool, error)
}

// MemoryRedeemer is a [Redeemer] in memory, safe for concurrent use.
type MemoryRedeemer struct {
	mu       sync.Mutex
	redeemed map[string]bool
}

// NewMemoryRedeemer returns an empty [MemoryRedeemer].
func NewMemoryRedeemer() *MemoryRedeemer { return &MemoryRedeemer{redeemed: map[string]bool{}} }

// Redeem implements [Redeemer].
func (m *MemoryRedeemer) Redeem(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.redeemed[key] {
		return false, nil
	}
	m.redeemed[key] = true
	return true, nil
}

// redeemTimeout bounds the redemption of a callback's code. A browser's IndexedDB can
// stall (an upgrade blocked by another tab, a wedged profile); the callback
// then fails with storage_error instead of never answering.
var redeemTimeout = 10 * time.Second

// redeem starts the Redeemer and returns the function that waits for its
// answer, with a time limit whether or not the Redeemer honours its
// context. A redemption that answers late is lost; the code is never
// exchanged after a time-out, so the worst outcome is a login to start
// again. A redemption nobody waits for (a check failed) ends on its own,
// its context at the time limit.
func (c *Client) redeem(ctx context.Context, key string) func() (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, redeemTimeout)
	type result struct {
		first bool
		err   error
	}
	done := make(chan result, 1)
	go func() {
		first, err := c.opts.Redeemer.Redeem(ctx, key)
		done <- result{first, err}
	}()
	return func() (bool, error) {
		defer cancel()
		select {
		case r := <-done:
			return r.first, r.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}
