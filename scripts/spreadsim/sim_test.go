package main

import (
	"testing"
	"time"
)

// TestSimulatedFillReachesTargetWithinBudgets: a small fill, both orders,
// brings every file to the target, keeps every donor within its budget,
// and its accounts add up (downloaded = ideal + wasted).
func TestSimulatedFillReachesTargetWithinBudgets(t *testing.T) {
	for _, shuffle := range []bool{false, true} {
		r, err := Run(Config{Keys: 600, Donors: 8, Target: 3, Capacity: 1.5, JoinSpan: 2 * time.Hour,
			BatchFiles: 25, BatchTime: 10 * time.Minute, Shuffle: shuffle, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if r.FilesAtTarget != r.Files {
			t.Errorf("shuffle=%v: %d of %d files at the target", shuffle, r.FilesAtTarget, r.Files)
		}
		if r.OverBudget != 0 {
			t.Errorf("shuffle=%v: %d donors over budget", shuffle, r.OverBudget)
		}
		if r.Downloaded != r.Ideal+r.Wasted || r.Ideal != 3*r.TotalBytes {
			t.Errorf("shuffle=%v: downloaded %d, ideal %d, wasted %d, one copy of all %d", shuffle, r.Downloaded, r.Ideal, r.Wasted, r.TotalBytes)
		}
		if r.Plans == 0 || r.TargetAt == 0 || r.OneCopyAt > r.TargetAt {
			t.Errorf("shuffle=%v: %d plans, one copy at %s, target at %s", shuffle, r.Plans, r.OneCopyAt, r.TargetAt)
		}
	}
}

// TestSimulationIsRepeatable: the same seed gives the same fill.
func TestSimulationIsRepeatable(t *testing.T) {
	cfg := Config{Keys: 300, Donors: 5, Target: 3, Capacity: 1.3, JoinSpan: time.Hour, BatchFiles: 10, BatchTime: 10 * time.Minute, Seed: 3}
	a, errA := Run(cfg)
	b, errB := Run(cfg)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.Downloaded != b.Downloaded || a.Wasted != b.Wasted || a.FillTime != b.FillTime {
		t.Errorf("two runs differ: %+v and %+v", a, b)
	}
}

// TestFewestCopiesFirstIsTheWholePlan: planning from the rarest files
// first (hubView.planBatch) gives every donor the same batches as planning
// from every file, so the same fill, with room to spare or short of it.
func TestFewestCopiesFirstIsTheWholePlan(t *testing.T) {
	for _, cfg := range []Config{
		{Keys: 800, Donors: 9, Target: 3, Capacity: 1.3, JoinSpan: 2 * time.Hour, BatchFiles: 25, BatchBytes: 64 << 20, BatchTime: 10 * time.Minute, Seed: 5},
		{Keys: 500, Donors: 12, Target: 3, Capacity: 0.8, JoinSpan: time.Hour, BatchFiles: 4, BatchBytes: 200 << 20, BatchTime: 10 * time.Minute, Seed: 9},
		{Keys: 400, Donors: 6, Target: 2, Capacity: 2, JoinSpan: 0, BatchFiles: 1, BatchBytes: -1, BatchTime: time.Hour, Seed: 2},
	} {
		sameFill(t, cfg)
	}
}

// TestLongerPrefixesGiveTheSamePlan: plans first made from one candidate
// (then 4, 16, ...) give the same fill as from every file.
func TestLongerPrefixesGiveTheSamePlan(t *testing.T) {
	defer func(f func(int) int) { firstPrefix = f }(firstPrefix)
	firstPrefix = func(int) int { return 1 }
	sameFill(t, Config{Keys: 500, Donors: 12, Target: 3, Capacity: 0.8, JoinSpan: time.Hour, BatchFiles: 4, BatchBytes: 200 << 20, BatchTime: 10 * time.Minute, Seed: 9})
	sameFill(t, Config{Keys: 600, Donors: 7, Target: 3, Capacity: 1.3, JoinSpan: time.Hour, BatchFiles: 25, BatchBytes: 64 << 20, BatchTime: 10 * time.Minute, Seed: 4})
}

// sameFill runs cfg planned from the start of the order and from every
// file, and compares the fills.
func sameFill(t *testing.T, cfg Config) {
	t.Helper()
	fast, errA := Run(cfg)
	cfg.FullPlans = true
	full, errB := Run(cfg)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if fast.Downloaded != full.Downloaded || fast.Wasted != full.Wasted || fast.OverReplicated != full.OverReplicated ||
		fast.FillTime != full.FillTime || fast.Batches != full.Batches || fast.OneCopyAt != full.OneCopyAt ||
		fast.TargetAt != full.TargetAt || fast.BudgetLeftBytes != full.BudgetLeftBytes {
		t.Errorf("seed %d: the fill differs from the one planned from every file:\nrarest first %+v\nevery file   %+v", cfg.Seed, fast, full)
	}
}
