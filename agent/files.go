package agent

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
)

// DefaultFilesLimit is a page of Files when the query does not say.
const DefaultFilesLimit = 100

// Files lists files of the donor's shards, held or not, paged.
func (a *Agent) Files(ctx context.Context, q control.FileQuery) (control.FileList, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultFilesLimit
	}
	defer a.slimLater() // the whole shard is read for this page (footprint.go)
	filter := strings.ToLower(q.Filter)
	list := control.FileList{Files: []control.File{}, Offset: q.Offset}
	for _, sh := range a.shards() {
		if q.Shard != "" && q.Shard != sh.Name {
			continue
		}
		t, err := a.treeOf(ctx, sh.Name)
		if err != nil {
			return list, fmt.Errorf("list the files of %s: %w", sh.Name, err)
		}
		loc := a.locations(ctx, sh.Name)
		a.mu.Lock()
		held := a.ledger.HeldOf(sh.Name)
		a.mu.Unlock()
		for _, f := range t.files {
			_, isHeld := held[f.key]
			if (q.HeldOnly && !isHeld) || (filter != "" && !strings.Contains(strings.ToLower(f.path), filter)) {
				continue
			}
			list.Total++
			if list.Total <= q.Offset || len(list.Files) >= q.Limit {
				continue
			}
			size, _ := f.key.Size()
			file := control.File{Shard: sh.Name, Path: f.path, Key: string(f.key), Size: size, Held: isHeld}
			if loc != nil {
				file.Copies = loc.DonorCopies(f.key)
				if isHeld && !loc.Has(f.key, a.cfg.DonorUUID) {
					file.Copies++ // fetched, not yet in the committed log
				}
			}
			if isHeld {
				file.LocalPath = ledger.ObjectPath(sh.Path, f.key) // no work tree: the content itself (sparse.go)
			}
			list.Files = append(list.Files, file)
		}
	}
	return list, nil
}

// locations returns the last read of a shard's git-annex branch, reading
// it when there is none yet.
func (a *Agent) locations(ctx context.Context, shard string) *annex.Locations {
	if loc := a.copies.Whole(shard); loc != nil {
		return loc
	}
	defer a.slimLater()
	for _, sh := range a.shards() {
		if sh.Name != shard {
			continue
		}
		l, err := a.copies.Read(ctx, shard, annexproc.NewRepo(a.opts.Tools, sh.Path, a.cfg.Hub))
		if err != nil {
			a.log.Warn("could not read the shard's location logs", "shard", shard, "err", err)
			return nil
		}
		return l
	}
	return nil
}

// Release gives one held file back at once (the donor wants the space, or
// not this file): it is dropped safely (see drop.go) and never fetched
// again. path is the file's path in its shard, or its path on disk.
func (a *Agent) Release(ctx context.Context, shard, path string) error {
	sh, rel, err := a.resolvePath(shard, path)
	if err != nil {
		return err
	}
	t, err := a.treeOf(ctx, sh)
	if err != nil {
		return err
	}
	k, ok := t.byPath[rel]
	if !ok {
		k, ok = t.keyOfObjectPath(rel)
	}
	if !ok {
		return control.NotFoundf("%s is not a file of shard %s", rel, sh)
	}
	a.mu.Lock()
	_, held := a.ledger.Object(ledger.Ref{Shard: sh, Key: k})
	if !held {
		a.mu.Unlock()
		return control.NotFoundf("%s is not held here; nothing to give back", rel)
	}
	a.addReleasedLocked(k)
	a.mu.Unlock()
	dropped, err := a.dropRefs(ctx, []ledger.Ref{{Shard: sh, Key: k}}, func() bool { return false })
	if err != nil {
		return err
	}
	if dropped == 0 {
		return fmt.Errorf("%s was not given back: the archive's copy could not be checked; try again later", rel)
	}
	a.measureMeta(true)
	a.requestPush()
	return nil
}

func (a *Agent) addReleasedLocked(k annex.Key) {
	for _, r := range a.state.Released {
		if r == string(k) {
			return
		}
	}
	a.state.Released = append(a.state.Released, string(k))
	if err := a.home.SaveState(a.state); err != nil {
		a.log.Warn("could not save state", "err", err)
	}
}

// resolvePath finds the shard and the shard-relative path of a file given
// as either (a path on disk is accepted too).
func (a *Agent) resolvePath(shard, p string) (string, string, error) {
	if p == "" {
		return "", "", control.Invalidf("no file given")
	}
	if filepath.IsAbs(p) {
		for _, sh := range a.shards() {
			if rel, err := filepath.Rel(sh.Path, p); err == nil && !strings.HasPrefix(rel, "..") {
				return sh.Name, filepath.ToSlash(rel), nil
			}
		}
		return "", "", control.NotFoundf("%s is not inside any of your shards", p)
	}
	p = strings.TrimPrefix(filepath.ToSlash(p), "./")
	if shard != "" {
		return shard, p, nil
	}
	if shards := a.shards(); len(shards) == 1 {
		return shards[0].Name, p, nil
	}
	// Several shards: "shard-0001/path" names one.
	if first, rest, ok := strings.Cut(p, "/"); ok {
		for _, sh := range a.shards() {
			if sh.Name == first {
				return first, rest, nil
			}
		}
	}
	return "", "", control.Invalidf("say which shard %s is in", p)
}

// objectPath is where the key's content lives in the shard's repository;
// online is false while the shard's storage is not connected. A shard
// this donor does not hold gives "" (not held).
func (a *Agent) objectPath(shard string, k annex.Key) (path string, online bool) {
	for _, sh := range a.shards() { // connected storage only
		if sh.Name == shard {
			return filepath.Join(sh.Path, filepath.FromSlash(annex.ObjectPath(k))), true
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, sh := range a.cfg.Shards {
		if sh.Name == shard {
			return "", false
		}
	}
	return "", true
}
