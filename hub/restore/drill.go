package restore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// Hub is what drills and restores work on: a data directory and its
// database (shared with a running shardhub serve, or alone).
type Hub struct {
	DataDir string
	Git     annex.Git // Bin and Env; Dir is set per shard
	DB      store.Store
	Now     func() time.Time // time.Now when nil
	Rand    *rand.Rand       // for --count; a random source when nil
}

func (h Hub) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// Repo is the git of one shard's repository.
func (h Hub) Repo(name string) annex.Git {
	g := h.Git
	g.Dir = shard.RepoDir(h.DataDir, name)
	return g
}

// read lists a shard's files and where their copies are, and checks the
// shard exists.
func (h Hub) read(ctx context.Context, name string) ([]File, Where, error) {
	g := h.Repo(name)
	if !g.RefExists(ctx, annex.BranchRef) {
		return nil, Where{}, fmt.Errorf("%s has no shard %s (see %s)", h.DataDir, name, shard.CatalogPath(h.DataDir))
	}
	files, err := ShardFiles(ctx, g)
	if err != nil {
		return nil, Where{}, err
	}
	where, err := ReadWhere(ctx, g, h.DB)
	return files, where, err
}

// Selection says which files a drill takes: Count at random among the
// files some donor holds, or the given keys or paths.
type Selection struct {
	Count int
	Keys  []string
	Paths []string
}

// Started is a new drill with its files, and the files left out because
// another running drill has them.
type Started struct {
	Drill   store.Drill
	Files   []store.DrillFile
	Skipped []File
	Unheld  int // files of the drill no donor holds: unrecoverable
}

// ErrNothingToDrill: no file fits the selection.
var ErrNothingToDrill = errors.New("no file to drill")

// StartDrill starts a fire drill: it chooses the files, opens a restore
// request for each, and marks the archive's copy of each lost on the
// shard's git-annex branch (what `git annex setpresentkey KEY
// 00000000-0000-0000-0000-000000000001 0` records). The serving hub asks
// donors for them on their next poll.
func (h Hub) StartDrill(ctx context.Context, name string, sel Selection) (Started, error) {
	g := h.Repo(name)
	files, where, err := h.read(ctx, name)
	if err != nil {
		return Started{}, err
	}
	chosen, err := h.choose(name, files, where, sel)
	if err != nil {
		return Started{}, err
	}
	now := h.now()
	if _, err := EnsureRemote(ctx, g, h.DB, name, now); err != nil {
		return Started{}, err
	}
	reqs := make([]store.Request, len(chosen))
	for i, f := range chosen {
		reqs[i] = store.Request{Shard: name, Key: string(f.Key), Path: f.Path, Size: f.Size}
	}
	if reqs, err = h.DB.OpenRequests(reqs, now); err != nil {
		return Started{}, err
	}
	id, err := store.NewDrillID(now)
	if err != nil {
		return Started{}, err
	}
	d := store.Drill{ID: id, Shard: name, Started: now.UTC()}
	want := make([]store.DrillFile, len(reqs))
	for i, r := range reqs {
		want[i] = store.DrillFile{Request: r, MarkedLost: where.ArchiveHas(annex.Key(r.Key))}
	}
	kept, err := h.DB.StartDrill(d, want)
	if err != nil {
		return Started{}, err
	}
	out := Started{Drill: d, Files: kept, Skipped: skipped(chosen, kept)}
	if len(kept) == 0 {
		return out, fmt.Errorf("%w: every chosen file is in a running drill already (see firedrill --status)", ErrNothingToDrill)
	}
	var lost []annex.Key
	for _, f := range kept {
		if f.MarkedLost {
			lost = append(lost, annex.Key(f.Key))
		}
		if len(where.Holders(annex.Key(f.Key))) == 0 {
			out.Unheld++
		}
	}
	if _, err := SetLocations(ctx, g, lost, annex.WebUUID, annex.StatusMissing, now, "shardhub: fire drill "+id+": the archive's copies marked lost"); err != nil {
		h.DB.EndDrill(id, now)
		return Started{}, fmt.Errorf("mark the archive's copies lost: %w", err)
	}
	return out, nil
}

func skipped(chosen []File, kept []store.DrillFile) []File {
	in := map[string]bool{}
	for _, f := range kept {
		in[f.Key] = true
	}
	var out []File
	for _, f := range chosen {
		if !in[string(f.Key)] {
			out = append(out, f)
		}
	}
	return out
}

// choose picks the drill's files, one per key.
func (h Hub) choose(name string, files []File, where Where, sel Selection) ([]File, error) {
	byKey, byPath := map[annex.Key]File{}, map[string]File{}
	for _, f := range files {
		if _, ok := byKey[f.Key]; !ok {
			byKey[f.Key] = f
		}
		byPath[f.Path] = f
	}
	var out []File
	seen := map[annex.Key]bool{}
	add := func(f File) {
		if !seen[f.Key] {
			seen[f.Key] = true
			out = append(out, f)
		}
	}
	for _, k := range sel.Keys {
		f, ok := byKey[annex.Key(k)]
		if !ok {
			return nil, fmt.Errorf("key %s is not a file of %s", k, name)
		}
		add(f)
	}
	for _, p := range sel.Paths {
		f, ok := byPath[p]
		if !ok {
			return nil, fmt.Errorf("%s has no file %s", name, p)
		}
		add(f)
	}
	if sel.Count > 0 {
		var held []File
		for _, k := range sortedKeys(byKey) {
			if len(where.Holders(k)) > 0 && h.drillable(name, k) {
				held = append(held, byKey[k])
			}
		}
		if len(held) == 0 {
			return nil, fmt.Errorf("%w: no donor holds a file of %s that is not in a running drill", ErrNothingToDrill, name)
		}
		r := h.Rand
		if r == nil {
			r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
		}
		r.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
		for _, f := range held[:min(sel.Count, len(held))] {
			add(f)
		}
	}
	return out, nil
}

// drillable reports whether no running drill has the key.
func (h Hub) drillable(name string, k annex.Key) bool {
	req, err := h.DB.OpenRequest(name, string(k))
	if err != nil {
		return true
	}
	return !h.inRunningDrill(req.ID)
}

func (h Hub) inRunningDrill(id string) bool {
	drills, err := h.DB.Drills()
	if err != nil {
		return false
	}
	for _, d := range drills {
		if !d.Ended.IsZero() {
			continue
		}
		files, err := h.DB.DrillFiles(d.ID)
		if err != nil {
			continue
		}
		for _, f := range files {
			if f.ID == id {
				return true
			}
		}
	}
	return false
}

func sortedKeys(m map[annex.Key]File) []annex.Key {
	keys := make([]annex.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// EndDrill ends a drill: the archive's copies it marked lost are marked
// present again, and its requests close. Its report stays. An empty id
// ends the one running drill (an error when several run).
func (h Hub) EndDrill(ctx context.Context, id string) (store.Drill, error) {
	if id == "" {
		var err error
		if id, err = h.runningDrill(); err != nil {
			return store.Drill{}, err
		}
	}
	var d store.Drill
	drills, err := h.DB.Drills()
	if err != nil {
		return d, err
	}
	for _, x := range drills {
		if x.ID == id {
			d = x
		}
	}
	if d.ID == "" {
		return d, fmt.Errorf("no drill %s (see firedrill --status)", id)
	}
	now := h.now()
	var files []store.DrillFile
	if d.Ended.IsZero() {
		files, err = h.DB.EndDrill(id, now)
		d.Ended = now.UTC()
	} else {
		files, err = h.DB.DrillFiles(id) // ended before: make sure the copies are back
	}
	if err != nil {
		return d, err
	}
	var back []annex.Key
	for _, f := range files {
		if f.MarkedLost {
			back = append(back, annex.Key(f.Key))
		}
	}
	if _, err := SetLocations(ctx, h.Repo(d.Shard), back, annex.WebUUID, annex.StatusPresent, now,
		"shardhub: fire drill "+id+" ended: the archive's copies are present again"); err != nil {
		return d, fmt.Errorf("mark the archive's copies present again (the drill is closed; run firedrill --end %s again to retry): %w", id, err)
	}
	return d, nil
}

func (h Hub) runningDrill() (string, error) {
	drills, err := h.DB.Drills()
	if err != nil {
		return "", err
	}
	var running []string
	for _, d := range drills {
		if d.Ended.IsZero() {
			running = append(running, d.ID)
		}
	}
	switch len(running) {
	case 0:
		return "", errors.New("no drill is running")
	case 1:
		return running[0], nil
	}
	return "", fmt.Errorf("%d drills are running (%v): name the one to end", len(running), running)
}
