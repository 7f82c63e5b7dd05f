package agent

import (
	"context"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/verify"
)

// TestVerifyRateHoldsReading: with an I/O limit (settings verify_kbps),
// the agent's reader waits after each chunk until the agent's clock says
// the bytes it read fit the limit: the verification ends only once the
// clock has gone on by about their time at that rate.
func TestVerifyRateHoldsReading(t *testing.T) {
	t.Parallel()
	const files, size, kbps = 4, 64 << 10, 16 // 4 s a file at the limit
	w := newWorld(t, files, func(int) int { return size })
	h := w.join("donor", w.total()*2)
	fill := newAgent(t, h, Options{MountRoots: []string{}})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := fill.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(heldKeys(t, fill.cfg.Shards[0].Path)); n != files {
		t.Fatalf("%d of %d files held", n, files)
	}
	fill.Close()

	clk := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clk, MountRoots: []string{}, MountPollEvery: time.Hour})
	s, err := a.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.VerifyKBps = kbps
	if err := a.UpdateSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	var advanced time.Duration
	for advanced <= time.Minute {
		var done bool
		waitFor(t, 60*time.Second, "the reader held on the clock, or the verification over", func() bool {
			st := status(t, a)
			done = st.LastVerification != nil && st.Verifying == nil
			return done || clockWaiters(clk) > 0
		})
		if done {
			break
		}
		d := nextWait(clk)
		clk.Advance(d)
		advanced += d
	}
	rep := verified(t, a, verify.Done)
	// A quarter of a second's worth is free (the burst); the rest is paced.
	want := time.Duration(files*size/(kbps<<10))*time.Second - time.Second/4
	t.Logf("verified %d files; the clock went on %v (want about %v)", rep.Checked, advanced, want)
	if advanced < want-time.Second || advanced > 2*want || rep.Checked != files {
		t.Errorf("verified %d files of %d bytes at %d KB/s after the clock went on %v; want about %v", rep.Checked, size, kbps, advanced, want)
	}
}

// nextWait is how far the clock must go for its first timer to fire.
func nextWait(c *fakeClock) time.Duration {
	var d time.Duration
	for i, w := range c.Pending() {
		if i == 0 || w < d {
			d = w
		}
	}
	return d
}

// clockWaiters is how many timers wait on c.
func clockWaiters(c *fakeClock) int { return c.Waiting() }
