package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/fetch"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// fillStats is what a fill did.
type fillStats struct {
	fetched, failed int
	wanted          int   // files that need copies and that this donor lacks
	smallestLeft    int64 // smallest of them that did not fit
	diskFull        bool
}

// fill fetches, shard by shard and batch by batch, the files that most
// need copies while they fit the budget. Between batches it reports to the
// hub and reads what other donors did, so donors working at the same time
// spread out instead of fetching the same files.
func (a *Agent) fill(ctx context.Context) (string, error) {
	var st fillStats
	done := map[string]bool{}
	for {
		if err := a.fillShards(ctx, &st, done); err != nil {
			return "", err
		}
		// Everything here has enough copies: help with another shard.
		if st.wanted > 0 || st.diskFull || a.hostWaiting() || !a.moreShard(ctx) {
			break
		}
	}
	return a.summary(st), nil
}

// fillShards fills the shards not done yet.
func (a *Agent) fillShards(ctx context.Context, st *fillStats, done map[string]bool) error {
	for _, sh := range a.shards() {
		if done[sh.Name] {
			continue
		}
		done[sh.Name] = true
		r := a.repoFor(sh)
		if _, err := a.treeOf(ctx, sh.Name); err != nil {
			a.log.Warn("could not list the shard's files", "shard", sh.Name, "err", err)
		}
		for {
			if ctx.Err() != nil || a.hostWaiting() {
				break
			}
			loc, err := a.refreshShard(ctx, sh)
			if err != nil {
				return err
			}
			a.measureMeta(true) // the fetch and merge just wrote to the repository
			a.updateBudget()
			plan := a.plan(sh.Name, loc)
			if len(plan.Fetch) == 0 {
				st.wanted += plan.Wanted
				if plan.SmallestLeft > 0 && (st.smallestLeft == 0 || plan.SmallestLeft < st.smallestLeft) {
					st.smallestLeft = plan.SmallestLeft
				}
				break
			}
			batch := a.batchOf(plan.Fetch)
			b := fetch.Batch(ctx, a.fetchDeps(), r, sh.Name, batch)
			st.fetched += b.Fetched
			st.failed += b.Failed
			a.saveProgress()
			if b.Fetched > 0 {
				a.reportBatch(ctx)
			}
			if b.DiskFull {
				st.diskFull = true
				break
			}
			if b.Fetched == 0 {
				st.wanted += plan.Wanted
				break // nothing worked this time: the next cycle tries again
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

func displayName(file string, k annex.Key) string { return words.FileOrKey(file, string(k)) }

// fetchDeps is what the fetcher (agent/fetch) uses of the agent. With the
// download proxy running, the proxy checks downloads as they stream.
func (a *Agent) fetchDeps() fetch.Deps {
	d := a.fetchDepsNoProxy()
	a.mu.Lock()
	if a.proxy != nil {
		d.Verify = a.proxy
	}
	a.mu.Unlock()
	return d
}

func (a *Agent) fetchDepsNoProxy() fetch.Deps {
	return fetch.Deps{
		Ledger: a.ledger, Failures: a.fails, Transfers: a.transfers,
		Jobs: a.opts.Jobs, BatchTime: a.opts.BatchTime, StallAfter: a.opts.StallAfter,
		Now: a.clock.Now, Emit: a.emit, SetPhase: a.setPhase, HostWaiting: a.hostWaiting,
		FileOf: a.fileOf, SaveFailures: a.saveFailures,
		Fetched: func(size int64) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.addActivityLocked(size)
		},
	}
}

func (a *Agent) setPhase(p string) {
	a.mu.Lock()
	a.phase = p
	a.mu.Unlock()
}

// hostWaiting reports whether downloads wait for the archive's backoff.
func (a *Agent) hostWaiting() bool {
	until, _ := a.fails.HostBackoff()
	return a.clock.Now().Before(until)
}

func (a *Agent) saveFailures() {
	if err := a.fails.Save(); err != nil {
		a.log.Warn("could not save download failures", "err", err)
	}
}

// saveProgress persists the state after a batch (activity, messages).
func (a *Agent) saveProgress() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.home.SaveState(a.state); err != nil {
		a.log.Warn("could not save state", "err", err)
	}
}

// reportBatch tells the hub about a batch at once, so donors working at
// the same time see it before their next batch. When the hub is known to
// be down, the push loop's retries carry it instead: the fill never waits
// for a hub that does not answer.
func (a *Agent) reportBatch(ctx context.Context) {
	if a.report.Problem() != "" {
		a.requestPush()
		return
	}
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := a.pushAll(pctx); err != nil && ctx.Err() == nil {
		a.log.Info("could not report the batch to the hub; retrying in the background", "err", err)
		a.requestPush()
	}
}

// summary says in plain language where a fill left things.
func (a *Agent) summary(st fillStats) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	used := a.ledger.Used()
	budget, block := a.ledger.Limits()
	files := a.ledger.HeldCount()
	skipped := a.fails.Skipped(a.clock.Now())
	hostUntil, hostReason := a.fails.HostBackoff()
	var msg string
	switch {
	case st.diskFull:
		msg = "The drive is full: free some space or lower the budget."
	case a.clock.Now().Before(hostUntil):
		msg = fmt.Sprintf("The archive is busy (%s); downloads resume after %s.", hostReason, hostUntil.Local().Format(time.TimeOnly))
	case files == 0 && st.wanted > 0 && a.ledger.MetaTotal()+a.ledger.MetaSlack() >= budget:
		meta, slack := a.ledger.MetaTotal(), a.ledger.MetaSlack()
		msg = fmt.Sprintf("Nothing fetched: the shards' own records (their git-annex repositories) take %s and keep %s free to grow, all of your budget (%s). Raise the budget above %s to hold files.",
			FormatSize(meta), FormatSize(slack), FormatSize(budget), FormatSize(meta+slack))
	case files == 0 && st.wanted > 0 && st.smallestLeft > 0:
		msg = fmt.Sprintf("Nothing fetched: your budget (%s) is smaller than the smallest file that needs a copy (%s, %s on disk). Raise the budget to help.",
			FormatSize(budget), FormatSize(st.smallestLeft), FormatSize(ledger.Reserve(st.smallestLeft, block)))
	case st.wanted > 0 && st.smallestLeft > 0:
		msg = fmt.Sprintf("Budget full: %s of %s used; %s more %s copies.", FormatSize(used), FormatSize(budget), words.Count(int64(st.wanted), "file", "files"), words.Agree(int64(st.wanted), "needs", "need"))
	case st.wanted > 0:
		msg = fmt.Sprintf("%s %s copies; some could not be fetched now and will be retried.", words.Count(int64(st.wanted), "file", "files"), words.Agree(int64(st.wanted), "needs", "need"))
	default:
		msg = "Up to date: every file you could help with has enough copies."
	}
	if st.failed > 0 {
		msg += fmt.Sprintf(" %s could not be downloaded and will be retried later.", words.Count(int64(st.failed), "file", "files"))
	}
	if skipped > 0 {
		msg += fmt.Sprintf(" %s %s skipped after repeated failures (see `shardkeeper log`).", words.Count(int64(skipped), "file", "files"), words.Agree(int64(skipped), "was", "were"))
	}
	if a.report.Problem() != "" {
		msg += " The hub could not be reached to report; will retry."
	}
	return msg
}
