package webproxy

import (
	"context"
	"sync"
	"time"
)

// Limiter is a byte-rate limit shared by every transfer through a proxy.
// The rate may change at any time (schedule, settings).
type Limiter struct {
	mu   sync.Mutex
	rate float64 // bytes per second; 0: unlimited
	debt float64 // bytes granted ahead of the rate
	last time.Time
}

// NewLimiter returns a limiter at bytesPerSec (0: unlimited).
func NewLimiter(bytesPerSec int64) *Limiter {
	l := &Limiter{}
	l.SetRate(bytesPerSec)
	return l
}

// SetRate changes the rate; 0 lifts the limit.
func (l *Limiter) SetRate(bytesPerSec int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rate = float64(max(bytesPerSec, 0))
	l.debt, l.last = 0, time.Time{}
}

// Rate is the current limit in bytes per second (0: unlimited).
func (l *Limiter) Rate() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(l.rate)
}

// chunk is how many bytes one read may take: small enough that a slow
// rate stays smooth, large enough that a fast one costs little.
func (l *Limiter) chunk() int {
	r := l.Rate()
	if r == 0 {
		return 256 << 10
	}
	return int(min(max(r/8, 1024), 64<<10))
}

// Wait blocks until n more bytes fit the rate, or ctx ends. Bytes are
// granted at once and paid for by sleeping off the debt, so concurrent
// transfers share the rate.
func (l *Limiter) Wait(ctx context.Context, n int) error {
	l.mu.Lock()
	if l.rate == 0 {
		l.mu.Unlock()
		return nil
	}
	now := time.Now()
	if !l.last.IsZero() {
		l.debt -= now.Sub(l.last).Seconds() * l.rate
	}
	// A small burst allowance keeps short pauses from being wasted.
	l.debt = max(l.debt, -l.rate/10)
	l.last = now
	l.debt += float64(n)
	sleep := time.Duration(l.debt / l.rate * float64(time.Second))
	l.mu.Unlock()
	if sleep <= 0 {
		return nil
	}
	t := time.NewTimer(sleep)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
