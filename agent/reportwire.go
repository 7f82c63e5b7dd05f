package agent

import (
	"context"
	"slices"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/report"
)

// newReporter wires hub reporting (agent/report) to this agent.
func (a *Agent) newReporter() *report.Reporter {
	return report.New(report.Deps{
		Hub: a.hub, Tools: a.opts.Tools, Log: a.log,
		Donor: func() (string, string, string) {
			a.mu.Lock()
			defer a.mu.Unlock()
			return a.cfg.Hub, a.cfg.DonorUUID, a.cfg.Token
		},
		Shards: a.shards, Path: a.objectPath, FileOf: a.fileOf, HasLeft: a.hasLeft,
		Pushed: func(at time.Time) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.state.LastPush = at
			if err := a.home.SaveState(a.state); err != nil {
				a.log.Warn("could not save state", "err", err)
			}
		},
		Moved: a.shardMoved, Emit: a.emit, Now: a.clock.Now, After: a.clock.After,
		PushEvery: a.opts.PushEvery, PushRetryMin: a.opts.PushRetryMin, PushRetryMax: a.opts.PushRetryMax,
	})
}

// pushAll reports every shard to the hub now (agent/report).
func (a *Agent) pushAll(ctx context.Context) error { return a.report.PushAll(ctx) }

// requestPush asks for a report to the hub soon.
func (a *Agent) requestPush() { a.report.Request() }

// answerChallenges answers the hub's proof-of-storage challenges.
func (a *Agent) answerChallenges(ctx context.Context) { a.report.AnswerChallenges(ctx) }

func (a *Agent) hasLeft() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return !a.state.Left.IsZero()
}

// shardMoved records a shard's new clone URL (it moved to another hub
// host; its repository's origin already points there). It saves the way
// every other change does (saveConfig), so storage locations another
// process (the CLI) just changed on disk are kept.
func (a *Agent) shardMoved(shard, url string) {
	a.mu.Lock()
	a.cfg.Shards = slices.Clone(a.cfg.Shards)
	for i := range a.cfg.Shards {
		if a.cfg.Shards[i].Name == shard {
			a.cfg.Shards[i].URL = url
		}
	}
	a.mu.Unlock()
	a.saveConfig()
}
