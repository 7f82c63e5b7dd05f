package agent

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/plan"
)

// TestFailingFilesBackOffThenSkipAndReport: an origin answering 503 for
// two files leads to retries further and further apart (with jitter), then
// a skip and a report, never a tight loop; the other files arrive.
func TestFailingFilesBackOffThenSkipAndReport(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 10, func(int) int { return 8 << 10 })
	var bad []string
	for p := range w.files {
		bad = append(bad, p)
	}
	sort.Strings(bad)
	bad = bad[:2]
	w.origin.set(func(o *origin) {
		for _, p := range bad {
			o.status[p] = 503
		}
	})
	h := w.join("donor", w.total()*2)
	clock := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clock})
	ev := collectEvents(t, a)
	ctx := context.Background()

	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := a.Status(ctx)
	if st.FilesProtected != 8 {
		t.Fatalf("holds %d files after the first cycle, want the 8 that the origin serves", st.FilesProtected)
	}
	gaps := retryRounds(t, w, a, clock, bad[0])
	for _, p := range bad {
		if n := w.origin.getsOf(p); n != plan.MaxTries {
			t.Errorf("%s requested %d times in 6 hours, want %d then a skip", p, n, plan.MaxTries)
		}
	}
	t.Logf("waits before the retries of %s: %v", bad[0], gaps)
	if len(gaps) != plan.MaxTries || gaps[0] < plan.RetryBase/2 || gaps[1] <= gaps[0] || gaps[2] < plan.SkipFor/2 {
		t.Errorf("waits %v: want at least %v, growing, then a skip of about %v", gaps, plan.RetryBase/2, plan.SkipFor)
	}
	st, _ = a.Status(ctx)
	if st.FilesSkipped != 2 || st.FilesProtected != 8 || !strings.Contains(st.Message, "skipped") {
		t.Errorf("status: %d skipped, %d held, message %q", st.FilesSkipped, st.FilesProtected, st.Message)
	}
	skips, backoffs := 0, 0
	for _, e := range ev.of(control.EventError) {
		if strings.HasPrefix(e.Message, "Skipped ") && strings.Contains(e.Message, "Service Unavailable") {
			skips++
		}
		if strings.HasPrefix(e.Message, "Downloads paused") {
			backoffs++
		}
	}
	if skips != 2 || backoffs == 0 {
		t.Errorf("%d skip reports, %d backoffs; want 2 and at least one", skips, backoffs)
	}
	// The record survives a restart: a new agent does not retry at once.
	a2 := newAgent(t, h, Options{Clock: clock})
	if err := a2.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := w.origin.getsOf(bad[0]); n != plan.MaxTries {
		t.Errorf("a restarted agent retried a skipped file (%d requests)", n)
	}
}

// TestTooManyRequestsPausesAllDownloads: a 429 pauses every download for
// a while, beyond the files already asked for.
func TestTooManyRequestsPausesAllDownloads(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 20, func(int) int { return 4 << 10 })
	w.origin.set(func(o *origin) {
		o.retryAf = "120"
		for p := range w.files {
			o.status[p] = 429
		}
	})
	h := w.join("donor", w.total()*2)
	clock := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clock, Jobs: 2, BatchFiles: 20, BatchBytes: -1})
	ctx := context.Background()
	requests := func() (n int) {
		w.origin.set(func(o *origin) {
			for _, c := range o.gets {
				n += c
			}
		})
		return n
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	first := requests()
	if first == 0 || first > 4 {
		t.Errorf("%d requests after the first 429 (2 downloads at once)", first)
	}
	st, _ := a.Status(ctx)
	if !strings.Contains(st.Message, "busy") {
		t.Errorf("status does not say the archive is busy: %q", st.Message)
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if requests() != first {
		t.Errorf("asked again during the backoff")
	}
	if wait := a.nextCycleWait(); wait > 3*time.Minute || wait < time.Minute {
		t.Errorf("next cycle in %v; want when the backoff (at least Retry-After 120 s) ends", wait)
	}
	w.origin.set(func(o *origin) { o.status = map[string]int{} })
	clock.Advance(3 * time.Minute)
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.Status(ctx); st.FilesProtected != 20 {
		t.Errorf("after the backoff: %d files held, want 20", st.FilesProtected)
	}
}

// retryRounds runs six hours of cycles, an hour apart, each also tried
// again at once (which must not touch the failing file), and returns the
// waits the agent chose before each retry of bad.
func retryRounds(t *testing.T, w *world, a *Agent, clock *fakeClock, bad string) []time.Duration {
	t.Helper()
	ctx := context.Background()
	repo := a.cfg.Shards[0].Path
	var gaps []time.Duration
	for round := 0; round < 6; round++ {
		f, ok := a.fails.Of(string(keyOfPath(t, repo, bad)))
		if !ok {
			t.Fatalf("round %d: no failure recorded for %s", round, bad)
		}
		if round < plan.MaxTries && f.Count == round+1 {
			gaps = append(gaps, f.NextTry.Sub(f.Last))
		}
		// Trying again at once does nothing: no tight loop.
		before := w.origin.getsOf(bad)
		if err := a.Cycle(ctx); err != nil {
			t.Fatal(err)
		}
		if got := w.origin.getsOf(bad); got != before {
			t.Fatalf("round %d: retried at once (%d requests, %d before)", round, got, before)
		}
		clock.Advance(time.Hour)
		if err := a.Cycle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return gaps
}
