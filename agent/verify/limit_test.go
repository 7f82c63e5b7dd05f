package verify

import (
	"testing"
	"time"
)

// readSim simulates the agent reading n bytes in the limiter's chunks from
// a disk of diskRate bytes a second, waiting as the limiter says (each
// wait ending late more than asked: the agent's wake-up under load). It
// returns the bytes read by the end of each whole second of the run.
func readSim(l *Limiter, clock *time.Time, n, diskRate int64, late time.Duration) []int64 {
	start := *clock
	var read int64
	var perSecond []int64
	note := func() {
		for s := int(clock.Sub(start) / time.Second); len(perSecond) < s; {
			perSecond = append(perSecond, read)
		}
	}
	for read < n {
		m := min(int64(l.Chunk()), n-read)
		*clock = clock.Add(time.Duration(float64(m) / float64(diskRate) * float64(time.Second)))
		note()
		read += m
		if wait := l.Take(m); wait > 0 {
			*clock = clock.Add(wait + late)
			note()
		}
	}
	return append(perSecond, read)
}

// TestLimiterCapsEverySecond: with a disk ten times faster than the limit,
// a 64 MiB file (one file: the old per-file pacing read it at the disk's
// speed) is read at the limit in every second of the run, the first one
// (the burst) aside, within 10%; also with every wait ending late.
func TestLimiterCapsEverySecond(t *testing.T) {
	const limit = 8 << 20 // 8 MiB/s
	for _, late := range []time.Duration{0, 20 * time.Millisecond} {
		clock := time.Unix(1e9, 0)
		l := NewLimiter(limit, func() time.Time { return clock })
		secs := readSim(l, &clock, 64<<20, 10*limit, late)
		if len(secs) < 8 {
			t.Fatalf("late %v: 64 MiB at 8 MiB/s read in %d s", late, len(secs))
		}
		for s := 2; s < len(secs)-1; s++ {
			if got := secs[s] - secs[s-1]; got > limit*11/10 || got < limit*9/10 {
				t.Errorf("late %v: second %d read %d bytes with a limit of %d", late, s, got, limit)
			}
		}
		if secs[0] > limit*5/4+int64(l.Chunk()) {
			t.Errorf("late %v: the first second read %d bytes, over the limit and its burst", late, secs[0])
		}
	}
}

// TestLimiterSlowDiskAndNoLimit: a disk slower than the limit is never
// held; no limit never holds, and reads in large chunks.
func TestLimiterSlowDiskAndNoLimit(t *testing.T) {
	const limit = 8 << 20
	clock := time.Unix(1e9, 0)
	now := func() time.Time { return clock }
	l := NewLimiter(limit, now)
	for i := 0; i < 100; i++ {
		clock = clock.Add(time.Duration(float64(l.Chunk()) / float64(limit/2) * float64(time.Second)))
		if wait := l.Take(int64(l.Chunk())); wait > 0 {
			t.Fatalf("held %v although the disk reads at half the limit", wait)
		}
	}
	unlimited := NewLimiter(0, now)
	if wait := unlimited.Take(1 << 30); wait != 0 || unlimited.Chunk() != maxChunk {
		t.Fatalf("no limit: held %v, chunk %d", wait, unlimited.Chunk())
	}
	if c := NewLimiter(1024, now).Chunk(); c != minChunk {
		t.Errorf("chunk at 1 KiB/s is %d, want %d", c, minChunk)
	}
}

// TestLimiterBurstIsBounded: a run that was idle for a long time catches
// up at most a quarter of a second's worth at full speed.
func TestLimiterBurstIsBounded(t *testing.T) {
	clock := time.Unix(1e9, 0)
	l := NewLimiter(1<<20, func() time.Time { return clock })
	l.Take(1 << 20)
	clock = clock.Add(time.Hour) // idle, or a slow stretch
	if wait := l.Take(1 << 18); wait != 0 {
		t.Fatalf("held %v within the burst", wait)
	}
	if wait := l.Take(1 << 20); wait != time.Second {
		t.Fatalf("held %v past the burst; want 1s", wait)
	}
}
