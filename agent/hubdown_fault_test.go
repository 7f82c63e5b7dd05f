package agent

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestFaultHubDownForAnHour (the fault suite, docs/reliability.md): the
// hub is down for an hour of the agent's clock. The agent fetches anyway,
// retries its report with growing waits (not once a second), and its
// report reaches the hub once the hub is back.
func TestFaultHubDownForAnHour(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Now())
	w, a, ev := hubDownFill(t, Options{Clock: clock, PolicyEvery: time.Minute}, 60*time.Second)
	ctx := context.Background()
	for i := 0; i < 12; i++ { // an hour, five minutes at a time
		clock.BlockUntil(t, 3)
		clock.Advance(5 * time.Minute)
	}
	clock.BlockUntil(t, 3)
	tries := len(ev.of("hub"))
	if st, _ := a.Status(ctx); st.FilesProtected != 6 || st.HubProblem == "" {
		t.Errorf("after an hour without the hub: %d files, hub problem %q", st.FilesProtected, st.HubProblem)
	}
	repo := a.cfg.Shards[0].Path
	k := keyOfPath(t, repo, "item-00/file-003.bin")
	w.hub.start()
	landed := func() bool { return strings.Contains(hubSays(w, a.cfg.DonorUUID, k), " 1 "+a.cfg.DonorUUID) }
	for i := 0; i < 10 && !landed(); i++ {
		clock.Advance(5 * time.Minute) // the report waits for its next retry
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !landed(); {
			time.Sleep(50 * time.Millisecond) // polling a condition, with a bound
		}
	}
	if !strings.Contains(hubSays(w, a.cfg.DonorUUID, k), " 1 "+a.cfg.DonorUUID) {
		t.Fatalf("the report did not reach the hub within 50 minutes of its coming back")
	}
	waitFor(t, 10*time.Second, "status to clear the hub problem", func() bool {
		st, _ := a.Status(ctx)
		return st.HubProblem == ""
	})
	t.Logf("hub events during the hour: %d", tries)
	if tries > 20 {
		t.Errorf("%d hub events in an hour: retries without backoff", tries)
	}
}
