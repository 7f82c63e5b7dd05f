package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/annex"
)

// requestPush asks the push loop to report to the hub soon (after a batch
// of changes). A report that is already due or backing off is not hurried.
func (a *Agent) requestPush() {
	select {
	case a.pushReq <- struct{}{}:
	default:
	}
}

// pushLoop reports to the hub after changes and at least every
// PushEvery; when the hub is down it retries with growing, jittered waits
// while the rest of the agent works on.
func (a *Agent) pushLoop(ctx context.Context) {
	failures := 0
	next := a.clock.Now().Add(a.opts.PushEvery)
	for {
		wait := max(next.Sub(a.clock.Now()), 0)
		select {
		case <-ctx.Done():
			return
		case <-a.pushReq:
			if failures > 0 && a.clock.Now().Before(next) {
				continue // backing off: the retry will carry these changes too
			}
		case <-a.clock.After(wait):
		}
		if a.hasLeft() {
			return // deregistered: nothing to report any more
		}
		err := a.pushAll(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			d := jitter(min(a.opts.PushRetryMin<<min(failures-1, 16), a.opts.PushRetryMax))
			next = a.clock.Now().Add(d)
			if failures == 1 {
				a.emit(control.Event{Kind: control.EventHub, Message: "Could not report to the hub; working on and retrying: " + err.Error()})
			}
			continue
		}
		if failures > 0 {
			a.emit(control.Event{Kind: control.EventHub, Message: "Reported to the hub again after it was unreachable"})
		}
		failures = 0
		next = a.clock.Now().Add(a.opts.PushEvery)
	}
}

// pushAll sends every shard's git-annex branch to the donor's own ref on
// the hub. It records the outcome for status.
func (a *Agent) pushAll(ctx context.Context) error {
	a.pushMu.Lock()
	defer a.pushMu.Unlock()
	var errs []error
	for _, sh := range a.shards() {
		r := newRepo(a.opts.Tools, sh.Path, a.cfg.Hub)
		if err := a.push(ctx, r); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", sh.Name, err))
		}
	}
	err := errors.Join(errs...)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.hubProblem = err.Error()
		return err
	}
	a.hubProblem = ""
	a.state.LastPush = a.clock.Now().UTC()
	if serr := a.home.SaveState(a.state); serr != nil {
		a.log.Warn("could not save state", "err", serr)
	}
	return nil
}

// push commits git-annex's journal into the git-annex branch and pushes
// it. The token reaches git through its environment (GIT_CONFIG_*), never
// its command line, which other users of the machine can read.
func (a *Agent) push(ctx context.Context, r *repo) error {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := r.annex(pctx, nil, "merge", "--quiet"); err != nil {
		return err
	}
	ref := "refs/heads/git-annex:" + annex.DonorRef(a.cfg.DonorUUID)
	g := r.git()
	g.Env = []string{"GIT_TERMINAL_PROMPT=0"}
	g.Config = []string{"http.extraHeader=Authorization: Bearer " + a.cfg.Token}
	_, err := g.Output(pctx, nil, "push", "--quiet", "origin", ref)
	if err != nil && strings.Contains(err.Error(), "rejected") {
		// The hub compacted its branch since our last fetch (docs/compaction.md):
		// fetch, let git-annex follow the transition, and push again.
		if _, ferr := r.git().Output(pctx, nil, "fetch", "--quiet", "origin"); ferr == nil {
			if _, merr := r.annex(pctx, nil, "merge", "--quiet"); merr == nil {
				_, err = g.Output(pctx, nil, "push", "--quiet", "origin", ref)
			}
		}
	}
	if err != nil {
		return errors.New(redact(err.Error(), a.cfg.Token))
	}
	return nil
}

func redact(s, secret string) string {
	if len(secret) < 4 {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

func (a *Agent) hasLeft() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return !a.state.Left.IsZero()
}
