package health

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/defaults"

	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// Defaults of Options.
const (
	DefaultTargetCopies = annex.DefaultTargetCopies
	DefaultExpiry       = 120 * 24 * time.Hour
	// VerifiedWithin is how recent a copy's present line must be for the
	// copy to count as verified.
	VerifiedWithin = 30 * 24 * time.Hour
)

// DonorRefPrefix is where donors push (annex.DonorRef).
const DonorRefPrefix = annex.DonorRefPrefix

// Options configure a Tracker.
type Options struct {
	Git          annex.Git // Bin and Env; Dir is set per shard
	TargetCopies int       // DefaultTargetCopies when 0
	// Expiry: donors not heard from for longer stop counting as copies,
	// until they push again. DefaultExpiry when 0.
	Expiry time.Duration
	Now    func() time.Time // time.Now when nil
	// State keeps what was read (the hub's database, so a restart reads
	// nothing again); a private in-memory database when nil.
	State store.HealthState
	// Local says whether this process serves a shard's repository (several
	// hub hosts, issue 15); a shard served elsewhere is read from State
	// only, as its own host recorded it. Every shard is local when nil.
	Local func(shard string) bool
}

func (o *Options) defaults() {
	defaults.Positive(&o.TargetCopies, DefaultTargetCopies)
	defaults.Positive(&o.Expiry, DefaultExpiry)
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Tracker keeps the merged git-annex view of every shard of a data
// directory in a HealthState (per file: its size, first path and the
// donors' newest lines) and keeps it current cheaply: Refresh compares ref
// tips with what was read before and reads only the files that changed
// since. In memory it holds per shard only its totals and trust.log.
type Tracker struct {
	dataDir string
	opts    Options

	mu       sync.Mutex
	state    store.HealthState
	closeDB  func() error
	order    []string
	shards   map[string]*view
	stateErr error
}

// NewTracker tracks the shards of dataDir's catalog. Nothing is read until
// the first Refresh.
func NewTracker(dataDir string, opts Options) *Tracker {
	opts.defaults()
	t := &Tracker{dataDir: dataDir, opts: opts, shards: map[string]*view{}, state: opts.State}
	if t.state == nil {
		db, err := store.OpenHealthMemory()
		if err != nil {
			t.stateErr = err
		} else {
			t.state, t.closeDB = db, db.Close
		}
	}
	return t
}

// Close releases the in-memory database a tracker without Options.State
// made.
func (t *Tracker) Close() error {
	if t.closeDB != nil {
		return t.closeDB()
	}
	return nil
}

// Options returns the options in effect (defaults filled in).
func (t *Tracker) Options() Options { return t.opts }

// view is one shard: its totals and trust.log as last read; the per-file
// state is in the HealthState.
type view struct {
	mu        sync.Mutex
	refreshes coalescer // RefreshShard's callers share refreshes
	info      shard.Info
	git       annex.Git
	loaded    bool // trust and the totals were read from the state
	files     int
	bytes     int64
	donors    int // donor refs read
	trust     annex.TrustLog
	groups    annex.GroupLog // group.log of the hub's branch and the donor refs: donors' regions
	blobs     int            // location logs read so far (tests check reads stay incremental)
}

// keyState is one file of the shard: its size and, per UUID other than
// the web, the newest location-log line any branch has.
type keyState struct {
	size  int64
	lines []annex.LogLine
}

// Refresh brings every shard up to date (and picks up shards added to the
// catalog since).
func (t *Tracker) Refresh(ctx context.Context) error {
	if t.stateErr != nil {
		return t.stateErr
	}
	infos, err := shard.ReadCatalog(t.dataDir)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.order = t.order[:0]
	var views []*view
	for _, info := range infos {
		v, ok := t.shards[info.Name]
		if !ok {
			g := t.opts.Git
			g.Dir = shard.RepoDir(t.dataDir, info.Name)
			v = &view{git: g}
			t.shards[info.Name] = v
		}
		v.mu.Lock()
		v.info = info
		v.mu.Unlock()
		t.order = append(t.order, info.Name)
		views = append(views, v)
	}
	t.mu.Unlock()
	for _, v := range views {
		if err := t.refreshAny(ctx, v); err != nil {
			return fmt.Errorf("health of %s: %w", v.info.Name, err)
		}
	}
	return nil
}

// RefreshShard brings one shard up to date, e.g. right after a push: it
// returns after a refresh that began after the call. Callers that ask at
// the same time share one refresh.
func (t *Tracker) RefreshShard(ctx context.Context, name string) error {
	t.mu.Lock()
	v, ok := t.shards[name]
	t.mu.Unlock()
	if !ok {
		return t.Refresh(ctx)
	}
	err := v.refreshes.do(ctx, func(ctx context.Context) error { return t.refreshAny(ctx, v) })
	if err != nil {
		return fmt.Errorf("health of %s: %w", name, err)
	}
	return nil
}

// refreshAny refreshes a shard this process serves from its repository,
// and one another host serves from what that host recorded.
func (t *Tracker) refreshAny(ctx context.Context, v *view) error {
	v.mu.Lock()
	name := v.info.Name
	v.mu.Unlock()
	if t.opts.Local == nil || t.opts.Local(name) {
		return t.refresh(ctx, v)
	}
	st, ok, err := t.state.HealthShard(name)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if ok {
		v.load(st)
	} else {
		v.files, v.bytes, v.donors = v.info.Files, v.info.Bytes, 0 // never read by its host yet
	}
	v.loaded = false // its host may record more at any time: read again next time
	return nil
}
