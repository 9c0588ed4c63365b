package apicred

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apicred/apicred/credential"
	"github.com/apicred/apicred/store"
	"github.com/google/uuid"
)

// WithLastUsedTracking keeps [credential.Credential.LastUsedAt] up to date
// without turning every authentication into a write: after a successful
// authentication the Manager records the use through the store's
// [store.UsageRecorder] at most once per credential per interval, so
// LastUsedAt lags by at most the interval. The interval must be at least
// one second. [New] fails if the store does not implement UsageRecorder.
//
// Without this option authentication never writes.
func WithLastUsedTracking(interval time.Duration) Option {
	return func(m *Manager) error {
		if interval < time.Second {
			return fmt.Errorf("%w: WithLastUsedTracking: interval %v is shorter than a second", ErrInvalidOption, interval)
		}
		m.usage = &usageTracker{interval: interval, last: map[uuid.UUID]*atomic.Int64{}}
		return nil
	}
}

// usageTracker coalesces last-used writes: one per credential per interval
// and process.
type usageTracker struct {
	rec      store.UsageRecorder
	interval time.Duration

	mu   sync.RWMutex
	last map[uuid.UUID]*atomic.Int64 // unix microseconds of the last write
}

// record writes the use of c at now when the last write of this process is
// at least an interval old, or when c's stored LastUsedAt is. A failed
// write is not an authentication failure; it is retried after the next
// interval.
func (u *usageTracker) record(ctx context.Context, c *credential.Credential, now time.Time) {
	if !c.LastUsedAt.IsZero() && now.Sub(c.LastUsedAt) < u.interval {
		return
	}
	nowMicros := now.UnixMicro()
	u.mu.RLock()
	slot := u.last[c.ID]
	u.mu.RUnlock()
	if slot == nil {
		u.mu.Lock()
		if slot = u.last[c.ID]; slot == nil {
			slot = new(atomic.Int64)
			u.last[c.ID] = slot
		}
		u.mu.Unlock()
	}
	prev := slot.Load()
	if nowMicros-prev < u.interval.Microseconds() || !slot.CompareAndSwap(prev, nowMicros) {
		return
	}
	_ = u.rec.RecordUse(ctx, c.TenantID, c.ID, now)
}
