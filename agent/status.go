package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// Status is the live status of a running agent.
func (a *Agent) Status(ctx context.Context) (control.Status, error) {
	b := a.updateBudget()
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.statusLocked(b), nil
}

func (a *Agent) statusLocked(b control.Budget) control.Status {
	now := a.clock.Now()
	budget, _ := a.ledger.Limits()
	st := control.Status{
		BudgetBytes: budget, State: a.phase, Message: a.state.Message,
		Hub: a.cfg.Hub, DonorUUID: a.cfg.DonorUUID, Storage: a.cfg.Storage, Shards: []control.ShardStatus{},
		Budget: &b, Locations: []control.Location{}, Leaving: a.state.Leaving != nil && a.state.Left.IsZero(),
	}
	if !a.state.LastCycle.IsZero() {
		t := a.state.LastCycle
		st.LastCycle = &t
	}
	st.Paused = a.state.Paused && (a.state.PausedUntil.IsZero() || now.Before(a.state.PausedUntil))
	if st.Paused {
		st.State = control.StatePaused
		st.Message = "Paused until you resume."
		if !a.state.PausedUntil.IsZero() {
			t := a.state.PausedUntil
			st.PausedUntil = &t
			st.Message = fmt.Sprintf("Paused for %s more (until %s).", words.Duration(a.state.PausedUntil.Sub(now)), t.Local().Format(time.DateTime))
		}
	}
	for _, sh := range a.cfg.Shards {
		ss := control.ShardStatus{Name: sh.Name, Path: sh.Path, Files: sh.Files, Collection: sh.Collection}
		_, ss.Leaving = a.state.LeavingShards[sh.Name]
		loc := a.copies.Get(sh.Name)
		for k, o := range a.ledger.HeldOf(sh.Name) {
			ss.FilesHeld++
			ss.BytesHeld += o.Size
			if loc != nil && loc.Copies(k, a.cfg.DonorUUID) < a.target {
				st.FilesFewCopies++
			}
		}
		st.Shards = append(st.Shards, ss)
		st.FilesProtected += ss.FilesHeld
		st.BytesHeld += ss.BytesHeld
	}
	st.Transfers = a.transfers.List()
	if st.State == control.StateFetching && len(st.Transfers) > 0 && !st.Paused {
		st.Message = "Fetching " + words.Count(int64(len(st.Transfers)), "file", "files") + "…"
	}
	if a.blocked != "" && !st.Paused && st.State != control.StateError {
		st.Message = a.blocked
	}
	st.Locations = append(st.Locations, a.locationsLocked()...)
	for _, d := range a.state.Activity {
		st.Activity = append(st.Activity, control.DayActivity{Day: d.Day, BytesFetched: d.Bytes, FilesFetched: d.Files})
	}
	st.Verifying, st.LastVerification = a.verifier.Status()
	if a.releasing != nil {
		r := *a.releasing
		st.Releasing = &r
	}
	st.FilesSkipped = int64(a.fails.Skipped(now))
	st.TargetCopies = a.target
	if !a.state.LastPush.IsZero() {
		t := a.state.LastPush
		st.LastReport = &t
	}
	st.HubProblem = a.report.Problem()
	st.Restore = a.restoreStatus()
	if l := a.state.Leaving; l != nil && a.state.Left.IsZero() {
		t := l.Deadline
		st.LeaveDeadline = &t
	}
	if !a.state.Left.IsZero() {
		st.Left = true
		st.State = control.StateIdle
		st.Message = "You have left the hub; all your space is given back."
	}
	return st
}

// locationsLocked describes the storage locations: connected or since
// when not, and their verification schedule.
func (a *Agent) locationsLocked() []control.Location {
	var out []control.Location
	for _, l := range a.cfg.Locations {
		st := a.state.Locations[l.ID]
		loc := control.Location{Path: l.Path, ID: l.ID, Online: a.online[l.ID], BudgetBytes: l.BudgetBytes}
		if c, ok := a.ledger.CapOf(l.ID); ok {
			loc.BudgetBytes = c
		}
		if !st.LastVerified.IsZero() {
			t := st.LastVerified
			loc.LastVerified = &t
		}
		next := nextVerification(a.cfg, l, st, a.settings.VerifyEveryDays)
		if !st.VerifyStarted.IsZero() {
			next = st.RestUntil // a run under way or stopped early goes on then
			if next.IsZero() {
				next = st.VerifyStarted
			}
		}
		loc.NextVerification = &next
		if !loc.Online && !st.OfflineSince.IsZero() {
			t := st.OfflineSince
			loc.OfflineSince = &t
		}
		out = append(out, loc)
	}
	return out
}

// OfflineStatus computes the status from disk when no agent is running.
func OfflineStatus(h home.Home, tools Tools) (control.Status, error) {
	if _, err := h.LoadConfig(); errors.Is(err, home.ErrNotJoined) {
		return control.Status{State: control.StateNotJoined, Message: err.Error(),
			Shards: []control.ShardStatus{}, Locations: []control.Location{}}, nil
	} else if err != nil {
		return control.Status{}, err
	}
	a, err := New(h, Options{Tools: tools})
	if err != nil {
		return control.Status{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, sh := range a.shards() {
		a.locations(ctx, sh.Name)
	}
	st, err := a.Status(ctx)
	if st.State != control.StatePaused && !st.Left {
		st.State = control.StateOffline
	}
	return st, err
}
