package agent

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// hubSays reads the donor's location-log line for k on the hub's copy of
// its ref ("" when the hub has none).
func hubSays(w *world, donor string, k annex.Key) string {
	cmd := exec.Command("git", "--git-dir", shard.RepoDir(w.hub.data, "shard-0001"), "show",
		"refs/heads/donors/"+donor+"/git-annex:"+annex.LocationLogPath(k))
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasSuffix(line, " "+donor) {
			return line
		}
	}
	return ""
}

// hubDownFill is a donor of six files whose hub is down, its agent (with
// o) running until it holds them all and says the hub is down.
func hubDownFill(t *testing.T, o Options, within time.Duration) (*world, *Agent, *events) {
	t.Helper()
	w := newWorld(t, 6, func(int) int { return 8 << 10 })
	h := w.join("donor", w.total()*2)
	w.hub.stop()
	a := newAgent(t, h, o)
	ev := collectEvents(t, a)
	runAgent(t, a)
	waitFor(t, within, "files fetched with the hub down", func() bool {
		st, _ := a.Status(context.Background())
		return st.FilesProtected == 6 && st.HubProblem != ""
	})
	return w, a, ev
}

// TestHubDownWorkGoesOnAndReportArrivesLater: with the hub down, the
// agent fetches from the archive anyway; its report reaches the hub when
// the hub comes back, through retries with backoff.
func TestHubDownWorkGoesOnAndReportArrivesLater(t *testing.T) {
	t.Parallel()
	w, a, ev := hubDownFill(t, Options{PushRetryMin: 200 * time.Millisecond, PushRetryMax: time.Second}, 30*time.Second)
	ctx := context.Background()
	waitFor(t, 10*time.Second, "the push loop to find the hub down", func() bool { return len(ev.of("hub")) > 0 })
	repo := a.cfg.Shards[0].Path
	k := keyOfPath(t, repo, "item-00/file-003.bin")
	if line := hubSays(w, a.cfg.DonorUUID, k); line != "" {
		t.Fatalf("the hub has a report although it was down: %q", line)
	}
	w.hub.start()
	waitFor(t, 30*time.Second, "the report after the hub came back", func() bool {
		return strings.Contains(hubSays(w, a.cfg.DonorUUID, k), " 1 "+a.cfg.DonorUUID)
	})
	waitFor(t, 5*time.Second, "status to clear the hub problem", func() bool {
		st, _ := a.Status(ctx)
		return st.HubProblem == "" && st.LastReport != nil
	})
	var said []string
	waitFor(t, 10*time.Second, "the push loop to say the hub is back", func() bool {
		said = messages(ev.of("hub"))
		return len(said) > 0 && strings.HasPrefix(said[len(said)-1], "Reported to the hub again")
	})
	if len(said) < 2 || !strings.HasPrefix(said[0], "Could not report") || !strings.HasPrefix(said[len(said)-1], "Reported to the hub again") {
		t.Errorf("hub events %q", said)
	}
}

// TestHeldFileTheLogLostIsReportedAgain: an agent killed between a file's
// content and its location-log line, or inside verification's
// missing-then-present restate, leaves a held file the log calls missing.
// The next agent records it present and reports it.
func TestHeldFileTheLogLostIsReportedAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 3, func(int) int { return 1 << 10 })
	h := w.join("donor", 1<<20)
	a := newAgent(t, h, Options{})
	ctx := context.Background()
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	repo, donor := a.cfg.Shards[0].Path, a.cfg.DonorUUID
	k := keyOfPath(t, repo, "item-00/file-001.bin")
	if !heldKeys(t, repo)[k] {
		t.Fatal("the fill did not fetch the file")
	}
	// What the crash leaves: the line says missing (in git-annex's
	// journal, uncommitted), the content is there.
	r := annexproc.NewRepo(a.opts.Tools, repo, a.cfg.Hub)
	if _, err := r.Annex(ctx, strings.NewReader(string(k)+" "+donor+" 0\n"), "setpresentkey", "--batch"); err != nil {
		t.Fatal(err)
	}
	a.Close()

	b := newAgent(t, h, Options{})
	if err := b.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.pushAll(ctx); err != nil {
		t.Fatal(err)
	}
	if line := hubSays(w, donor, k); !strings.Contains(line, " 1 "+donor) {
		t.Errorf("after the restart the hub's line for the held file is %q, want present", line)
	}
	loc, err := r.Locations(ctx, &annex.LocationReader{})
	if err != nil {
		t.Fatal(err)
	}
	if !loc.Has(k, donor) {
		t.Error("the donor's own location log still calls the held file missing")
	}
}
