package verify

// Verification's I/O limit (settings --verify-kbps): the agent reads each
// object itself, in chunks, and books every chunk in a token bucket of
// Rate bytes a second on the agent's clock; while the bucket is in debt
// the reader waits. So the limit holds for every second of reading, not
// only as an average over files: a single 4 GB file is read at the limit
// too. Unused rate is kept for at most burstFor, so a run that was idle
// (or read slower than the limit) catches up by at most that much: any
// second reads at most 1.25 times the limit, and a wait that ends up to a
// quarter of a second late (the agent's wake-up under load) costs nothing.

import (
	"context"
	"time"
)

// burstFor is how much unused rate the limiter keeps.
const burstFor = 250 * time.Millisecond

// Chunk sizes: unlimited reads go in maxChunk pieces; limited ones in an
// eighth of a second's worth at the limit, at least minChunk.
const (
	maxChunk = 1 << 20
	minChunk = 4 << 10
)

// Limiter is a token bucket over bytes read, on an injected clock.
type Limiter struct {
	rate int64 // bytes a second; 0: unlimited
	now  func() time.Time
	due  time.Time // when the bytes booked so far are paid for
}

// NewLimiter limits reading to rate bytes a second (0 or less: unlimited).
func NewLimiter(rate int64, now func() time.Time) *Limiter {
	return &Limiter{rate: max(rate, 0), now: now}
}

// Chunk is how many bytes to read before booking them.
func (l *Limiter) Chunk() int {
	if l.rate == 0 {
		return maxChunk
	}
	return int(min(max(l.rate/8, minChunk), maxChunk))
}

// Take books n bytes just read and returns how long the reader must wait
// before it reads on (0: at once).
func (l *Limiter) Take(n int64) time.Duration {
	if l.rate == 0 || n <= 0 {
		return 0
	}
	now := l.now()
	if floor := now.Add(-burstFor); l.due.Before(floor) {
		l.due = floor
	}
	l.due = l.due.Add(time.Duration(float64(n) / float64(l.rate) * float64(time.Second)))
	return max(l.due.Sub(now), 0)
}

// wait holds the reader for d on the clock. A pause (soft) lets the file
// under check finish at full speed: it reports false, and the caller reads
// the rest unlimited. A hard stop (the drive went away) is an error.
func (v *Verifier) wait(soft, hard context.Context, d time.Duration) (limited bool, err error) {
	if d <= 0 {
		return true, nil
	}
	select {
	case <-hard.Done():
		return false, hard.Err()
	case <-soft.Done():
		return false, nil
	case <-v.d.After(d):
		return true, nil
	}
}
