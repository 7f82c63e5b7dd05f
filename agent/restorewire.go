package agent

import (
	"context"
	"io"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/restore"
	"github.com/shardkeeper/shardkeeper/annex"
)

// newUploader wires agent/restore's Uploader to this agent: its shards,
// what it holds, git-annex, pause and the schedule, the push.
func (a *Agent) newUploader() *restore.Uploader {
	c, err := restore.NewClient(a.cfg.Hub, a.cfg.DonorUUID, a.cfg.Token)
	if err != nil {
		c = &restore.Client{} // New already refused a bad hub URL
	}
	return restore.New(restore.Deps{
		Client: c, Home: a.home, Program: a.opts.RestoreProgram, Log: a.log,
		Shards: func() []restore.Shard {
			var out []restore.Shard
			for _, sh := range a.shards() {
				out = append(out, restore.Shard{Name: sh.Name, Dir: sh.Path})
			}
			return out
		},
		Holds: func(shard, key string) bool {
			_, ok := a.ledger.Object(ledger.Ref{Shard: shard, Key: annex.Key(key)})
			return ok
		},
		Annex: func(ctx context.Context, dir string, env []string, stdin io.Reader, args ...string) ([]byte, error) {
			r := annexproc.NewRepo(a.opts.Tools, dir, a.cfg.Hub)
			r.Env = append(r.Env, env...)
			return r.AnnexGroup(ctx, stdin, args[0], args[1:]...)
		},
		Git: func(ctx context.Context, dir string, args ...string) ([]byte, error) {
			return a.opts.Tools.GitIn(dir).Output(ctx, nil, args...)
		},
		Gate:       a.uploadGate,
		Push:       a.pushAll,
		Emit:       a.emit,
		Now:        a.clock.Now,
		After:      a.clock.After,
		PollEvery:  a.opts.RestorePollEvery,
		RetryAfter: a.opts.RestoreRetryAfter,
	})
}

// uploadGate: restore uploads stop while paused, on battery or a metered
// network when the donor asked; outside the download hours they run
// unless the donor keeps restores to those hours.
func (a *Agent) uploadGate() (bool, string) {
	now := a.clock.Now()
	a.mu.Lock()
	s, st, blocked := a.settings, a.state, a.blocked
	a.mu.Unlock()
	if st.Paused && (st.PausedUntil.IsZero() || now.Before(st.PausedUntil)) {
		return false, "Paused"
	}
	if !st.Left.IsZero() {
		return false, "Left the hub"
	}
	inHours, _, why := fetchPolicy(s, now)
	switch {
	case !inHours && s.RestoreInScheduleOnly:
		return false, why
	case inHours && blocked != "":
		return false, blocked // battery or metered network
	}
	return true, ""
}

// restoreStatus is the restore part of status.
func (a *Agent) restoreStatus() control.RestoreStatus { return a.restore.Status() }

// restoreOnce runs one restore round (agent --until-idle).
func (a *Agent) restoreOnce(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	a.restore.Round(rctx)
}
