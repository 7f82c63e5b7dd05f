package agent

import (
	"context"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/storage"
)

// nextVerification is when a location's next full verification is due:
// VerifyEveryDays after the last one (or after the location was added).
func nextVerification(cfg home.Config, l home.LocationConfig, st home.LocationState, everyDays int) time.Time {
	base := st.LastVerified
	if base.IsZero() {
		base = storage.Added(cfg, l)
	}
	return base.AddDate(0, 0, max(everyDays, 1))
}

// verificationDue says whether a location should be verified now: its
// run is due (or overdue: the machine was off, like anacron), or a run
// that stopped early may go on.
func verificationDue(cfg home.Config, l home.LocationConfig, st home.LocationState, everyDays int, now time.Time) bool {
	if !st.VerifyStarted.IsZero() {
		return !now.Before(st.RestUntil)
	}
	return !now.Before(nextVerification(cfg, l, st, everyDays))
}

// scheduleVerification starts the verification of the connected locations
// that are due, unless paused, leaving or already verifying.
func (a *Agent) scheduleVerification() {
	now := a.clock.Now()
	a.mu.Lock()
	if a.verifier.Running() || a.state.Paused || a.state.Leaving != nil || !a.state.Left.IsZero() {
		a.mu.Unlock()
		return
	}
	var due []string
	for _, l := range a.cfg.Locations {
		if a.online[l.ID] && verificationDue(a.cfg, l, a.state.Locations[l.ID], a.settings.VerifyEveryDays, now) {
			due = append(due, l.ID)
		}
	}
	a.mu.Unlock()
	if len(due) > 0 {
		a.log.Info("verification due", "locations", len(due))
		a.startVerify(due)
	}
}

// checkIn is the light weekly sign of life: a `git annex fsck --fast`
// that matches no file records a check-in in the git-annex branch
// (activity.log) without reading any file, and the push that follows
// carries it to the hub (IA.BAK's check-in, without its empty folder,
// which this git-annex refuses as an unknown path).
func (a *Agent) checkIn(ctx context.Context) {
	now := a.clock.Now()
	a.mu.Lock()
	if a.state.Leaving != nil || !a.state.Left.IsZero() {
		a.mu.Unlock()
		return
	}
	var due []string
	for _, l := range a.cfg.Locations {
		last := a.state.Locations[l.ID].LastCheckIn
		if last.IsZero() {
			last = storage.Added(a.cfg, l)
		}
		if a.online[l.ID] && !now.Before(last.Add(a.opts.CheckInEvery)) {
			due = append(due, l.ID)
		}
	}
	a.mu.Unlock()
	if len(due) == 0 {
		return
	}
	for _, id := range due {
		for _, sh := range a.shards() {
			if sh.Location != id {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			if _, err := a.plainRepo(sh).Annex(cctx, nil, "fsck", "--fast", "--quiet", "--include="+storage.MarkerName); err != nil {
				a.log.Info("check-in fsck did not run", "shard", sh.Name, "err", err)
			}
			cancel()
		}
		a.mu.Lock()
		st := a.locStateLocked(id)
		st.LastCheckIn = now.UTC()
		a.state.Locations[id] = st
		a.mu.Unlock()
	}
	a.requestPush()
}
