package verify

import (
	"testing"
	"time"
)

// readAll simulates fsck reading files of the given sizes from a disk of
// diskRate bytes a second, held as the pacer says, and returns the bytes
// read per second over the run.
func readAll(p *Pacer, clock *time.Time, sizes []int64, diskRate int64) float64 {
	return readLate(p, clock, sizes, diskRate, 0)
}

// readLate is readAll with every hold ending late more than asked (the
// agent's wake-up, fsck's return to the CPU).
func readLate(p *Pacer, clock *time.Time, sizes []int64, diskRate int64, late time.Duration) float64 {
	start := *clock
	var total int64
	for _, n := range sizes {
		*clock = clock.Add(time.Duration(float64(n) / float64(diskRate) * float64(time.Second)))
		if wait := p.Read(n); wait > 0 {
			*clock = clock.Add(wait + late)
		}
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

// TestPacerKeepsTheLimitWithSlowReads: files that take over a second to
// read (16 MiB from a disk 1.5 times the limit), with every hold ending
// half a second late, are still read at the limit over a run (within
// 10%): the time fsck spends reading a file is not lost from the bucket.
func TestPacerKeepsTheLimitWithSlowReads(t *testing.T) {
	const limit = 8 << 20
	sizes := make([]int64, 32)
	for i := range sizes {
		sizes[i] = 16 << 20
	}
	clock := time.Unix(1e9, 0)
	now := func() time.Time { return clock }
	got := readLate(NewPacer(limit, now), &clock, sizes, limit*3/2, 500*time.Millisecond)
	if got > limit*1.1 || got < limit*0.9 {
		t.Errorf("paced at %.2f of the limit", got/limit)
	}
	// A disk below the limit is held at most after the first file (whose
	// reading began at a time the pacer does not know): it reads at its
	// own speed over a run.
	if got := readLate(NewPacer(limit, now), &clock, sizes, limit*4/5, time.Second); got < limit*4/5*0.95 {
		t.Errorf("a disk at 0.8 of the limit read at %.2f of it", got/limit)
	}
}
