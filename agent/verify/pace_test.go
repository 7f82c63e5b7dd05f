package verify

import (
	"testing"
	"time"
)

// readAll simulates fsck reading files of the given sizes from a disk of
// diskRate bytes a second, held as the pacer says, and returns the bytes
// read per second over the run.
func readAll(p *Pacer, clock *time.Time, sizes []int64, diskRate int64) float64 {
	start := *clock
	var total int64
	for _, n := range sizes {
		*clock = clock.Add(time.Duration(float64(n) / float64(diskRate) * float64(time.Second)))
		*clock = clock.Add(p.Read(n))
		total += n
	}
	return float64(total) / clock.Sub(start).Seconds()
}

// TestPacerKeepsTheLimit: with a disk ten times faster than the limit,
// files of mixed sizes are read at the limit (within 10%) over a run; a
// disk slower than the limit is never held; no limit never holds.
func TestPacerKeepsTheLimit(t *testing.T) {
	const limit = 8 << 20 // 8 MiB/s
	var sizes []int64
	for i := 0; i < 200; i++ {
		sizes = append(sizes, int64(16<<10+(i*7919)%(4<<20))) // 16 KiB to 4 MiB
	}
	clock := time.Unix(1e9, 0)
	now := func() time.Time { return clock }
	got := readAll(NewPacer(limit, now), &clock, sizes, 10*limit)
	if got > limit*1.1 || got < limit*0.9 {
		t.Errorf("paced at %.0f bytes/s with a limit of %d", got, limit)
	}

	p := NewPacer(limit, now)
	for _, n := range sizes[:20] {
		clock = clock.Add(time.Duration(float64(n) / float64(limit/2) * float64(time.Second)))
		if wait := p.Read(n); wait > 0 {
			t.Fatalf("held %v although the disk reads at half the limit", wait)
		}
	}
	unlimited := NewPacer(0, now)
	for _, n := range sizes {
		if wait := unlimited.Read(n); wait != 0 {
			t.Fatalf("held %v with no limit", wait)
		}
	}
}

// TestPacerBurstIsBounded: a run that went slower than the limit for a
// long time catches up at most one second's worth at full speed.
func TestPacerBurstIsBounded(t *testing.T) {
	clock := time.Unix(1e9, 0)
	p := NewPacer(1<<20, func() time.Time { return clock })
	p.Read(1 << 20)
	clock = clock.Add(time.Hour) // idle, or a slow stretch
	if wait := p.Read(1 << 20); wait != 0 {
		t.Fatalf("held %v within the burst", wait)
	}
	if wait := p.Read(1 << 20); wait != time.Second {
		t.Fatalf("held %v past the burst; want 1s", wait)
	}
}
