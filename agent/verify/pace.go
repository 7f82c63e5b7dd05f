package verify

// Verification's I/O limit (settings --verify-kbps): fsck has no rate
// option, so the agent paces it from outside. After each file fsck
// reports, the pacer books the file's size (from its key) in a token
// bucket of Rate bytes a second (its credit: below); when
// the bucket is in debt, the agent holds fsck's process group (SIGSTOP)
// until it is paid, then lets it go on (SIGCONT). Over a run the read rate
// is then at most the limit, and close to it whenever the disk is faster.
// Within one file fsck reads at the disk's speed: the limit is an average
// over files, not a cap on every second.
//
// The credit kept is one second plus the booked file's own time at the
// limit, never reaching back before the previous booking (the first file,
// whose reading began at a time the pacer cannot know, keeps one second).
// fsck reads a file between two bookings: a credit of one second alone
// dropped that reading time whenever it took over a second (a 16 MiB file
// at 20 MiB/s, a late wake-up under load), and a run measured half of its
// limit at load 40 (docs/benchmarks.md, "Verification I/O limit").
//
// On systems without SIGSTOP (Windows) fsck is held only by the agent not
// reading its results.

import (
	"context"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/annex"
)

// burstFor is how much unused rate the pacer keeps beyond the file it
// books: a run that went slower than the limit for a while catches up at
// most this much.
const burstFor = time.Second

// Pacer is a token bucket over bytes read, on an injected clock.
type Pacer struct {
	rate int64 // bytes a second; 0: unlimited
	now  func() time.Time
	due  time.Time // when the bytes booked so far are paid for
	last time.Time // the previous booking; zero before the first
}

// NewPacer paces at rate bytes a second (0 or less: unlimited).
func NewPacer(rate int64, now func() time.Time) *Pacer {
	return &Pacer{rate: max(rate, 0), now: now}
}

// Read books n bytes read and returns how long to hold the reader before
// it may go on (0: at once).
func (p *Pacer) Read(n int64) time.Duration {
	if p.rate == 0 || n <= 0 {
		return 0
	}
	now := p.now()
	cost := time.Duration(float64(n) / float64(p.rate) * float64(time.Second))
	floor := now.Add(-burstFor)
	if !p.last.IsZero() {
		floor = floor.Add(-cost)
		if p.last.After(floor) {
			floor = p.last
		}
	}
	if p.due.Before(floor) {
		p.due = floor
	}
	p.last = now
	p.due = p.due.Add(cost)
	return max(p.due.Sub(now), 0)
}

// pace holds fsck (process group pid) after a file of key k was checked,
// as long as the pacer says; it returns early when soft or hard ends, so
// that a stop or a kill never meets a held (stopped) process group.
func (v *Verifier) pace(soft, hard context.Context, p *Pacer, pid int, k string) {
	size, _ := annex.Key(k).Size()
	wait := p.Read(size)
	if wait <= 0 {
		return
	}
	held := annexproc.Hold(pid) == nil
	select {
	case <-soft.Done():
	case <-hard.Done():
	case <-v.d.After(wait):
	}
	if held {
		annexproc.Release(pid)
	}
}
