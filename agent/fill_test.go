package agent

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
)

// TestBudgetNeverExceededDuringParallelFill samples the disk use of the
// annexed objects and the downloads in flight all through a fill with -J 4
// from a slow origin: it never goes over the budget.
func TestBudgetNeverExceededDuringParallelFill(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 40, func(i int) int { return 20<<10 + (i*37%13)*15<<10 })
	w.origin.set(func(o *origin) { o.rate = 400 << 10 }) // slow enough that downloads overlap
	budget := w.total() * 2 / 5
	h := w.join("donor", budget)
	a := newAgent(t, h, Options{Jobs: 4, BatchFiles: 8, BatchBytes: -1})
	repo := a.cfg.Shards[0].Path

	var maxUse atomic.Int64
	var maxParallel atomic.Int64
	stop := sampleUntilStopped(2*time.Millisecond, func() {
		use, partials := diskUse(repo)
		if use > maxUse.Load() {
			maxUse.Store(use)
		}
		if int64(partials) > maxParallel.Load() {
			maxParallel.Store(int64(partials))
		}
	})
	if err := a.Cycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	stop()

	st, _ := a.Status(context.Background())
	used, _ := diskUse(repo)
	t.Logf("budget %d; at most %d on disk during the fill, %d after; up to %d downloads at once; %d files",
		budget, maxUse.Load(), used, maxParallel.Load(), st.FilesProtected)
	if maxUse.Load() > budget {
		t.Errorf("disk use reached %d, over the budget of %d", maxUse.Load(), budget)
	}
	if used > budget {
		t.Errorf("%d on disk after the fill, over the budget of %d", used, budget)
	}
	if maxParallel.Load() < 2 {
		t.Errorf("never more than %d downloads at once: the test did not exercise -J 4", maxParallel.Load())
	}
	// Filled: what is left is less than the largest file needs.
	if left := budget - used; left > ledger.Reserve(20<<10+12*15<<10, 4096) {
		t.Errorf("stopped with %d bytes of room left", left)
	}
	if got := int64(len(heldKeys(t, repo))); got != st.FilesProtected || got == 0 {
		t.Errorf("git-annex holds %d files, status says %d", got, st.FilesProtected)
	}
	if st.Budget == nil || st.Budget.Binding != "max_bytes" || st.BudgetBytes != budget || st.Budget.Disk.UsedByShardkeeper != used {
		t.Errorf("status budget %+v, want max_bytes binding %d with %d used", st.Budget, budget, used)
	}
}

// TestKeepFreeBindsDuringFill: with "leave at least SIZE free" binding on
// a (simulated) small drive, and status asked all the time as the UI
// does, the drive never gets fuller than allowed.
func TestKeepFreeBindsDuringFill(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 30, func(i int) int { return 20<<10 + i%7*10<<10 })
	w.origin.set(func(o *origin) { o.rate = 300 << 10 })
	h := w.join("donor", w.total()*10)
	var repo string
	const drive, othersUse, keepFree = 4 << 20, 3 << 20, 512 << 10 // room: 512 KiB
	disk := func(string) (DiskInfo, error) {
		use, _ := diskUse(repo)
		return DiskInfo{Total: drive, Avail: drive - othersUse - use, Block: 4096}, nil
	}
	a := newAgent(t, h, Options{Jobs: 4, BatchFiles: 6, BatchBytes: -1, DiskStat: disk})
	repo = a.cfg.Shards[0].Path
	ctx := context.Background()
	if _, err := a.SetBudget(ctx, control.Limits{KeepFreeBytes: keepFree}); err != nil {
		t.Fatal(err)
	}
	var maxUse atomic.Int64
	stop := sampleUntilStopped(3*time.Millisecond, func() {
		a.Status(ctx) // recomputes the budget mid-fill
		if use, _ := diskUse(repo); use > maxUse.Load() {
			maxUse.Store(use)
		}
	})
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	stop()
	st, _ := a.Status(ctx)
	t.Logf("room %d; at most %d used during the fill; %d files; binding %s", drive-othersUse-keepFree, maxUse.Load(), st.FilesProtected, st.Budget.Binding)
	if maxUse.Load() > drive-othersUse-keepFree {
		t.Errorf("used %d, leaving less than %d free", maxUse.Load(), keepFree)
	}
	if st.Budget.Binding != control.BindKeepFree || st.FilesProtected < 5 {
		t.Errorf("binding %s, %d files", st.Budget.Binding, st.FilesProtected)
	}
}

// sampleUntilStopped calls sample every period (and once more at the end)
// until the returned stop is called; stop returns after the last sample.
func sampleUntilStopped(every time.Duration, sample func()) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			sample()
			select {
			case <-done:
				return
			case <-time.After(every):
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
