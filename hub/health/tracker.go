package health

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"

	"github.com/shardkeeper/shardkeeper/hub/shard"
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
}

func (o *Options) defaults() {
	if o.TargetCopies <= 0 {
		o.TargetCopies = DefaultTargetCopies
	}
	if o.Expiry <= 0 {
		o.Expiry = DefaultExpiry
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Tracker holds the merged git-annex view of every shard of a data
// directory and keeps it current cheaply: Refresh compares ref tips with
// what it read before and reads only the files that changed since.
type Tracker struct {
	dataDir string
	opts    Options

	mu     sync.Mutex
	order  []string
	shards map[string]*view
}

// NewTracker tracks the shards of dataDir's catalog. Nothing is read until
// the first Refresh.
func NewTracker(dataDir string, opts Options) *Tracker {
	opts.defaults()
	return &Tracker{dataDir: dataDir, opts: opts, shards: map[string]*view{}}
}

// Options returns the options in effect (defaults filled in).
func (t *Tracker) Options() Options { return t.opts }

// view is one shard's merged git-annex branches.
type view struct {
	mu      sync.Mutex
	info    shard.Info
	git     annex.Git
	hubHead string            // refs/heads/git-annex as last read
	refs    map[string]string // donor ref -> commit as last read
	keys    map[annex.Key]*keyState
	trust   annex.TrustLog
	groups  annex.GroupLog    // group.log of every branch read: donors' regions
	uuids   map[string]string // interned UUID strings
	paths   *pathIndex        // built on demand for the at-risk list
	blobs   int               // location logs read so far (tests check reads stay incremental)
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
		if err := v.refresh(ctx); err != nil {
			return fmt.Errorf("health of %s: %w", v.info.Name, err)
		}
	}
	return nil
}

// RefreshShard brings one shard up to date, e.g. right after a push.
func (t *Tracker) RefreshShard(ctx context.Context, name string) error {
	t.mu.Lock()
	v, ok := t.shards[name]
	t.mu.Unlock()
	if !ok {
		return t.Refresh(ctx)
	}
	if err := v.refresh(ctx); err != nil {
		return fmt.Errorf("health of %s: %w", name, err)
	}
	return nil
}

// refresh reads what changed since the last call. A changed hub branch (a
// rebuild) or a vanished donor ref means reading the shard again whole;
// otherwise each moved donor ref is diffed against what was read before.
func (v *view) refresh(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	all, err := annex.RefTips(ctx, v.git, "refs/heads/")
	if err != nil {
		return err
	}
	head := all[annex.BranchRef]
	if head == "" {
		return fmt.Errorf("the shard has no git-annex branch")
	}
	donors := map[string]string{}
	for ref, sha := range all {
		if annex.IsDonorRef(ref) {
			donors[ref] = sha
		}
	}
	full := head != v.hubHead
	for ref := range v.refs {
		if _, ok := donors[ref]; !ok {
			full = true // lines may have gone with the ref
		}
	}
	var groupRevs []string // branches whose group.log is read
	if full {
		if err := v.readHub(ctx, head); err != nil {
			return err
		}
		groupRevs = append(groupRevs, head)
	}
	for ref, sha := range donors {
		from, ok := v.refs[ref]
		if ok && from == sha {
			continue
		}
		if !ok {
			from = head // a donor's branch starts as a clone of the hub's
		}
		if err := v.apply(ctx, from, sha); err != nil {
			// The old tip may be gone (rewritten and pruned): read whole.
			if err := v.apply(ctx, head, sha); err != nil {
				return err
			}
		}
		v.refs[ref] = sha
		groupRevs = append(groupRevs, sha)
	}
	return v.readGroups(ctx, groupRevs)
}

// readHub reads the hub's git-annex branch whole: the shard's files are the
// keys the archive registered on the web; trust.log says who is dead.
func (v *view) readHub(ctx context.Context, head string) error {
	v.keys = map[annex.Key]*keyState{}
	v.trust = annex.TrustLog{}
	v.groups = annex.GroupLog{}
	v.uuids = map[string]string{}
	v.refs = map[string]string{}
	v.paths = nil
	n, err := annex.ReadBranch(ctx, v.git, head, annex.BranchVisitor{
		Log: func(k annex.Key, lines []annex.LogLine, _ bool) error {
			if annex.InShard(lines) {
				size, _ := k.Size()
				ks := &keyState{size: size}
				v.keys[k] = ks
				v.merge(ks, lines)
			}
			return nil
		},
		Trust: v.trust.Merge,
	})
	v.blobs += n
	if err != nil {
		return err
	}
	v.hubHead = head
	return nil
}

// apply folds in the location logs of the shard's keys that differ between
// from and to. A union merge never loses a line: deletions are ignored.
func (v *view) apply(ctx context.Context, from, to string) error {
	n, err := annex.ReadChanges(ctx, v.git, from, to, annex.BranchVisitor{
		Want: func(k annex.Key) bool { return v.keys[k] != nil },
		Log: func(k annex.Key, lines []annex.LogLine, deleted bool) error {
			if !deleted {
				v.merge(v.keys[k], lines)
			}
			return nil
		},
	})
	v.blobs += n
	return err
}

// merge keeps, per UUID, the newest line, as git-annex's union merge and
// compaction do. The web's line is not kept: it is not a donor copy.
func (v *view) merge(ks *keyState, lines []annex.LogLine) {
next:
	for _, l := range lines {
		if l.Value == annex.WebUUID {
			continue
		}
		for i := range ks.lines {
			if ks.lines[i].Value == l.Value {
				if ks.lines[i].Time.Before(l.Time) {
					ks.lines[i].Time, ks.lines[i].Status = l.Time, l.Status
				}
				continue next
			}
		}
		l.Value = v.intern(l.Value)
		ks.lines = append(ks.lines, l)
	}
}

func (v *view) intern(s string) string {
	if u, ok := v.uuids[s]; ok {
		return u
	}
	v.uuids[s] = s
	return s
}
