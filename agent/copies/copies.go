// Package copies is the agent's view of where copies are: each shard's
// git-annex branch, brought up to date from the hub (git fetch and
// git-annex's merge) and read incrementally through annex.LocationReader,
// the branch model the hub's health tracker shares. The planner, the drop
// order, leaving and status read it through Get; only Refresh and Read
// change it. It owns its state and lock.
package copies

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/annex"
)

// fetchQuiet is how long the agent stops fetching from a hub that did not
// answer, so a fill offline does not wait for it at every batch.
const fetchQuiet = time.Minute

// View is the last read of each shard's git-annex branch.
type View struct {
	log *slog.Logger
	now func() time.Time

	mu          sync.Mutex
	locs        map[string]*annex.Locations      // last read per shard
	readers     map[string]*annex.LocationReader // per shard: reads only what changed
	fetchFailed time.Time                        // the last fetch from the hub failed then
	slim        map[string]bool                  // shards read only for their held keys (slim.go)
}

// New is an empty view; now is the agent's clock.
func New(log *slog.Logger, now func() time.Time) *View {
	return &View{log: log, now: now, locs: map[string]*annex.Locations{}, readers: map[string]*annex.LocationReader{}}
}

// Get is the last read of a shard's branch (nil: not read yet).
func (v *View) Get(shard string) *annex.Locations {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.locs[shard]
}

// Refresh brings in other donors' reports (offline: what we have) and
// rereads the shard's location logs.
func (v *View) Refresh(ctx context.Context, shard string, r *annexproc.Repo) (*annex.Locations, error) {
	if err := v.sync(ctx, r); err != nil {
		v.log.Info("working offline: could not refresh from the hub", "shard", shard, "err", err)
	}
	loc, err := r.Locations(ctx, v.reader(shard))
	if err != nil {
		return nil, fmt.Errorf("read shard %s: %w", shard, err)
	}
	v.mu.Lock()
	v.locs[shard] = loc
	delete(v.slim, shard)
	v.mu.Unlock()
	return loc, nil
}

// Read rereads the shard's location logs as they are here.
func (v *View) Read(ctx context.Context, shard string, r *annexproc.Repo) (*annex.Locations, error) {
	loc, err := r.Locations(ctx, v.reader(shard))
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	v.locs[shard] = loc
	delete(v.slim, shard)
	v.mu.Unlock()
	return loc, nil
}

// reader is the shard's incremental reader of its git-annex branch.
func (v *View) reader(shard string) *annex.LocationReader {
	v.mu.Lock()
	defer v.mu.Unlock()
	lr := v.readers[shard]
	if lr == nil {
		lr = &annex.LocationReader{}
		v.readers[shard] = lr
	}
	return lr
}

// sync brings in what other donors reported, so rarest-first is current.
func (v *View) sync(ctx context.Context, r *annexproc.Repo) error {
	v.mu.Lock()
	quiet := v.now().Before(v.fetchFailed.Add(fetchQuiet))
	v.mu.Unlock()
	var ferr error
	if !quiet {
		fctx, cancel := context.WithTimeout(ctx, time.Minute)
		_, ferr = r.Git().Output(fctx, nil, "fetch", "--quiet", "origin")
		cancel()
		if ferr != nil && ctx.Err() == nil {
			v.mu.Lock()
			v.fetchFailed = v.now()
			v.mu.Unlock()
		}
	}
	// merge also commits git-annex's journal; run it even when offline,
	// but only when it has something to do (each run is a git-annex start,
	// about a second on a busy machine).
	if NeedsMerge(ctx, r) {
		if _, err := r.Annex(ctx, nil, "merge", "--quiet"); err != nil {
			return err
		}
	}
	return ferr
}

// NeedsMerge says whether `git annex merge` has work in r: git-annex's
// journal has entries, there is no git-annex branch yet, or a ref whose
// name ends in /git-annex (the hub's, another donor's) holds commits the
// git-annex branch lacks. When unsure it says yes.
func NeedsMerge(ctx context.Context, r *annexproc.Repo) bool {
	journal, err := os.ReadDir(filepath.Join(r.Dir, ".git", "annex", "journal"))
	if len(journal) > 0 || err != nil && !errors.Is(err, fs.ErrNotExist) {
		return true
	}
	out, err := r.Git().Output(ctx, nil, "for-each-ref", "--format=%(refname)", "refs/")
	if err != nil {
		return true
	}
	branch, others := false, []string{}
	for _, ref := range strings.Fields(string(out)) {
		if ref == "refs/heads/git-annex" {
			branch = true
		} else if strings.HasSuffix(ref, "/git-annex") {
			others = append(others, ref)
		}
	}
	if !branch {
		return true
	}
	if len(others) == 0 {
		return false
	}
	args := append(append([]string{"rev-list", "-n1"}, others...), "--not", "refs/heads/git-annex")
	out, err = r.Git().Output(ctx, nil, args...)
	return err != nil || len(bytes.TrimSpace(out)) > 0
}
