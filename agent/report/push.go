// Package report is the agent's hub reporting: it pushes each shard's
// git-annex branch to the donor's own ref on the hub (after a batch, and at
// least every PushEvery, backing off while the hub is down) and answers the
// hub's proof-of-storage challenges. Restore uploads (agent/restore) send
// their location lines with the next push.
package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
)

// Deps is what hub reporting uses of the rest of the agent.
type Deps struct {
	Hub   *hubclient.Client
	Tools annexproc.Tools
	Log   *slog.Logger
	// Donor is the hub's URL, the donor's UUID and its token.
	Donor  func() (hubURL, uuid, token string)
	Shards func() []home.ShardConfig // on connected storage
	// Path is where a key's content is in a shard; online is false while
	// its storage is not connected.
	Path    func(shard string, k annex.Key) (path string, online bool)
	FileOf  func(shard string, k annex.Key) string
	HasLeft func() bool
	// Pushed records a report that reached the hub.
	Pushed func(at time.Time)
	// Moved records that a shard is served at a new URL (another hub
	// host); nil: only the repository's origin follows.
	Moved func(shard, url string)
	Emit  func(control.Event)
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// PushEvery is the longest time between reports; a failed report is
	// retried after PushRetryMin, growing to PushRetryMax.
	PushEvery, PushRetryMin, PushRetryMax time.Duration
}

// Reporter reports to the hub. It owns its state and locks.
type Reporter struct {
	d      Deps
	pushMu sync.Mutex // one push at a time
	mu     sync.Mutex
	// problem is why the last report to the hub failed ("": it did not).
	problem string
	req     chan struct{}
}

// New prepares hub reporting.
func New(d Deps) *Reporter { return &Reporter{d: d, req: make(chan struct{}, 1)} }

// Problem is why the last report to the hub failed ("": it did not).
func (r *Reporter) Problem() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.problem
}

// Request asks the push loop to report to the hub soon (after a batch
// of changes). A report that is already due or backing off is not hurried.
func (r *Reporter) Request() {
	select {
	case r.req <- struct{}{}:
	default:
	}
}

// Loop reports to the hub after changes and at least every PushEvery;
// when the hub is down it retries with growing, jittered waits while the
// rest of the agent works on.
func (r *Reporter) Loop(ctx context.Context) {
	failures := 0
	next := r.d.Now().Add(r.d.PushEvery)
	for {
		wait := max(next.Sub(r.d.Now()), 0)
		select {
		case <-ctx.Done():
			return
		case <-r.req:
			if failures > 0 && r.d.Now().Before(next) {
				continue // backing off: the retry will carry these changes too
			}
		case <-r.d.After(wait):
		}
		if r.d.HasLeft() {
			return // deregistered: nothing to report any more
		}
		err := r.PushAll(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			d := plan.Jitter(min(r.d.PushRetryMin<<min(failures-1, 16), r.d.PushRetryMax))
			next = r.d.Now().Add(d)
			if failures == 1 {
				r.d.Emit(control.Event{Kind: control.EventHub, Message: "Could not report to the hub; working on and retrying: " + err.Error()})
			}
			continue
		}
		if failures > 0 {
			r.d.Emit(control.Event{Kind: control.EventHub, Message: "Reported to the hub again after it was unreachable"})
		}
		failures = 0
		next = r.d.Now().Add(r.d.PushEvery)
	}
}

// PushAll sends every shard's git-annex branch to the donor's own ref on
// the hub. It records the outcome for status.
func (r *Reporter) PushAll(ctx context.Context) error {
	r.pushMu.Lock()
	defer r.pushMu.Unlock()
	hubURL, uuid, token := r.d.Donor()
	var errs []error
	for _, sh := range r.d.Shards() {
		repo := annexproc.NewRepo(r.d.Tools, sh.Path, hubURL)
		err := Push(ctx, repo, uuid, token)
		if err != nil && r.follow(ctx, repo, sh.Name, uuid, token) {
			err = Push(ctx, repo, uuid, token) // to the shard's new hub host
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", sh.Name, err))
		}
	}
	err := errors.Join(errs...)
	r.mu.Lock()
	if err != nil {
		r.problem = err.Error()
	} else {
		r.problem = ""
	}
	r.mu.Unlock()
	if err == nil {
		r.d.Pushed(r.d.Now().UTC())
	}
	return err
}

// Push commits git-annex's journal into the git-annex branch and pushes
// it. The token reaches git through its environment (GIT_CONFIG_*), never
// its command line, which other users of the machine can read.
func Push(ctx context.Context, r *annexproc.Repo, uuid, token string) error {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := r.Annex(pctx, nil, "merge", "--quiet"); err != nil {
		return err
	}
	ref := "refs/heads/git-annex:" + annex.DonorRef(uuid)
	g := r.Git()
	g.Env = []string{"GIT_TERMINAL_PROMPT=0"}
	// No redirects: a hub host that redirects says the shard moved to
	// another host, and PushAll then asks the hub where (follow.go).
	g.Config = []string{"http.extraHeader=Authorization: Bearer " + token, "http.followRedirects=false"}
	_, err := g.Output(pctx, nil, "push", "--quiet", "origin", ref)
	if err != nil && strings.Contains(err.Error(), "rejected") {
		// The hub compacted its branch since our last fetch (docs/compaction.md):
		// fetch, let git-annex follow the transition, and push again.
		if _, ferr := r.Git().Output(pctx, nil, "fetch", "--quiet", "origin"); ferr == nil {
			if _, merr := r.Annex(pctx, nil, "merge", "--quiet"); merr == nil {
				_, err = g.Output(pctx, nil, "push", "--quiet", "origin", ref)
			}
		}
	}
	if err != nil {
		return errors.New(redact(err.Error(), token))
	}
	return nil
}

func redact(s, secret string) string {
	if len(secret) < 4 {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}
