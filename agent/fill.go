package agent

import (
	"context"
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
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
			a.updateBudget()
			plan := a.plan(sh.Name, loc)
			if len(plan.Fetch) == 0 {
				st.wanted += plan.Wanted
				if plan.SmallestLeft > 0 && (st.smallestLeft == 0 || plan.SmallestLeft < st.smallestLeft) {
					st.smallestLeft = plan.SmallestLeft
				}
				break
			}
			batch := BatchOf(plan.Fetch, a.opts.BatchFiles, a.opts.BatchBytes)
			b := a.getBatch(ctx, r, sh.Name, batch)
			st.fetched += b.fetched
			st.failed += b.failed
			a.saveProgress()
			if b.fetched > 0 {
				a.reportBatch(ctx)
			}
			if b.diskFull {
				st.diskFull = true
				break
			}
			if b.fetched == 0 {
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

func displayName(file string, k annex.Key) string {
	if file != "" {
		return file
	}
	return string(k)
}

func (a *Agent) setPhase(p string) {
	a.mu.Lock()
	a.phase = p
	a.mu.Unlock()
}

// hostWaiting reports whether downloads wait for the archive's backoff.
func (a *Agent) hostWaiting() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.clock.Now().Before(a.fails.Host.Until)
}

func (a *Agent) saveFailuresLocked() {
	if err := home.WriteJSON(a.home.FailuresPath(), a.fails); err != nil {
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
	a.mu.Lock()
	down := a.hubProblem != ""
	a.mu.Unlock()
	if down {
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

// fetchQuiet is how long the agent stops fetching from a hub that did not
// answer, so a fill offline does not wait for it at every batch.
const fetchQuiet = time.Minute

// sync brings in what other donors reported, so rarest-first is current.
func (a *Agent) sync(ctx context.Context, r *repo) error {
	a.mu.Lock()
	quiet := a.clock.Now().Before(a.fetchFailed.Add(fetchQuiet))
	a.mu.Unlock()
	var ferr error
	if !quiet {
		fctx, cancel := context.WithTimeout(ctx, time.Minute)
		_, ferr = r.git().Output(fctx, nil, "fetch", "--quiet", "origin")
		cancel()
		if ferr != nil && ctx.Err() == nil {
			a.mu.Lock()
			a.fetchFailed = a.clock.Now()
			a.mu.Unlock()
		}
	}
	// merge also commits git-annex's journal; run it even when offline.
	if _, err := r.annex(ctx, nil, "merge", "--quiet"); err != nil {
		return err
	}
	return ferr
}

// summary says in plain language where a fill left things.
func (a *Agent) summary(st fillStats) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	used := a.ledger.used()
	budget, block := a.ledger.limits()
	files := a.ledger.heldCount()
	skipped := a.fails.skipped(a.clock.Now())
	var msg string
	switch {
	case st.diskFull:
		msg = "The drive is full: free some space or lower the budget."
	case a.clock.Now().Before(a.fails.Host.Until):
		msg = fmt.Sprintf("The archive is busy (%s); downloads resume after %s.", a.fails.Host.Reason, a.fails.Host.Until.Local().Format(time.TimeOnly))
	case files == 0 && st.wanted > 0 && st.smallestLeft > 0:
		msg = fmt.Sprintf("Nothing fetched: your budget (%s) is smaller than the smallest file that needs a copy (%s, %s on disk). Raise the budget to help.",
			FormatSize(budget), FormatSize(st.smallestLeft), FormatSize(reserveFor(st.smallestLeft, block)))
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
	if a.hubProblem != "" {
		msg += " The hub could not be reached to report; will retry."
	}
	return msg
}
