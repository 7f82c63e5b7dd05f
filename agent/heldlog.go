package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/annex"
)

// recordHeldOnce runs recordHeld at the first cycle of this process.
// An agent killed between git-annex writing a file's content and its
// location-log line, or inside verification's missing-then-present
// restate (agent/verify), leaves a file on disk that the log calls
// missing: held, but never reported to the hub. The next start puts it
// right. Later cycles need not: while the agent runs, only git-annex and
// the agent write those lines, each whole.
func (a *Agent) recordHeldOnce(ctx context.Context) {
	a.mu.Lock()
	done := a.heldRecorded
	a.heldRecorded = true
	a.mu.Unlock()
	if done {
		return
	}
	for _, sh := range a.shards() {
		n, err := a.recordHeld(ctx, sh.Name, annexproc.NewRepo(a.opts.Tools, sh.Path, a.cfg.Hub))
		switch {
		case err != nil:
			a.log.Warn("could not check that every held file is recorded", "shard", sh.Name, "err", err)
		case n > 0:
			a.log.Info("recorded held files the location log called missing (after a crash)", "shard", sh.Name, "files", n)
			a.requestPush()
		}
	}
}

// recordHeld writes "present" for each object of shard on disk (the
// ledger's last scan) whose location log says this donor lacks it, and
// returns how many it wrote.
func (a *Agent) recordHeld(ctx context.Context, shard string, r *annexproc.Repo) (int, error) {
	held := a.ledger.HeldOf(shard)
	if len(held) == 0 {
		return 0, nil
	}
	loc := a.locations(ctx, shard)
	if loc == nil {
		return 0, fmt.Errorf("the location logs are unreadable just now")
	}
	a.mu.Lock()
	donor := a.cfg.DonorUUID
	a.mu.Unlock()
	var lost []annex.Key
	for k := range held {
		if !loc.Has(k, donor) {
			lost = append(lost, k)
		}
	}
	if len(lost) == 0 {
		return 0, nil
	}
	var in strings.Builder
	for _, k := range lost {
		fmt.Fprintf(&in, "%s %s 1\n", k, donor)
	}
	if _, err := r.Annex(ctx, strings.NewReader(in.String()), "setpresentkey", "--batch"); err != nil {
		return 0, fmt.Errorf("record %d held files as present: %w", len(lost), err)
	}
	if _, err := a.copies.Read(ctx, shard, r); err != nil {
		a.log.Warn("could not read the location logs again", "shard", shard, "err", err)
	}
	return len(lost), nil
}
