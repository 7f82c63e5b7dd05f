package health

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// refresh reads what changed since the state last recorded. A changed hub
// branch or main branch (a rebuild) or a vanished donor ref means reading
// the shard again whole; otherwise each moved donor ref is diffed against
// what was read before, and only its changed location logs are read.
func (t *Tracker) refresh(ctx context.Context, v *view) error {
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
	name := v.info.Name
	st, ok, err := t.state.HealthShard(name)
	if err != nil {
		return err
	}
	full := !ok || st.HubHead != head || st.MainHead != all["refs/heads/main"]
	for ref := range st.Refs {
		if _, ok := donors[ref]; !ok {
			full = true // lines may have gone with the ref
		}
	}
	if !full && sameRefs(st.Refs, donors) {
		if v.loaded {
			return nil
		}
		v.load(st)
		return v.readGroups(ctx, head, donors)
	}
	err = t.state.UpdateHealth(name, func(tx store.HealthTx) error {
		if full {
			st = store.HealthShard{Name: name, HubHead: head, MainHead: all["refs/heads/main"]}
			if err := v.readHub(ctx, tx, &st); err != nil {
				return err
			}
		}
		for ref, sha := range donors {
			from, ok := st.Refs[ref]
			if ok && from == sha {
				continue
			}
			if !ok {
				from = head // a donor's branch starts as a clone of the hub's
			}
			if err := v.apply(ctx, tx, from, sha); err != nil {
				// The old tip may be gone (rewritten and pruned): read whole.
				if err := v.apply(ctx, tx, head, sha); err != nil {
					return err
				}
			}
			if err := tx.SetRef(ref, sha); err != nil {
				return err
			}
		}
		st.Refs = donors
		v.load(st)
		return tx.SetShard(st)
	})
	if err != nil {
		return err
	}
	return v.readGroups(ctx, head, donors)
}

func sameRefs(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for ref, sha := range a {
		if b[ref] != sha {
			return false
		}
	}
	return true
}

// load takes a shard's totals and trust.log from its recorded state.
func (v *view) load(st store.HealthShard) {
	v.files, v.bytes, v.donors = st.Files, st.Bytes, len(st.Refs)
	v.trust = annex.TrustLog{}
	v.trust.Merge([]byte(st.Trust))
	v.loaded = true
}

// formatTrust writes a resolved trust.log back as trust.log lines.
func formatTrust(t annex.TrustLog) string {
	var b strings.Builder
	for _, u := range slices.Sorted(maps.Keys(t)) {
		fmt.Fprintf(&b, "%s %c timestamp=%s\n", u, t[u].Level, t[u].At)
	}
	return b.String()
}

// readHub reads the hub's branches whole into a reset state: the shard's
// files are the keys the archive registered on the web, each with its
// first path on main; trust.log says who is dead.
func (v *view) readHub(ctx context.Context, tx store.HealthTx, st *store.HealthShard) error {
	if err := tx.Reset(); err != nil {
		return err
	}
	paths, err := v.readPaths(ctx, st.MainHead)
	if err != nil {
		return err
	}
	trust := annex.TrustLog{}
	n, err := annex.ReadBranch(ctx, v.git, st.HubHead, annex.BranchVisitor{
		Log: func(k annex.Key, lines []annex.LogLine, _ bool) error {
			if !annex.InShard(lines) {
				return nil
			}
			size, _ := k.Size()
			st.Files++
			st.Bytes += size
			if err := tx.AddKey(store.HealthKey{Key: string(k), Path: paths[k], Size: size}); err != nil {
				return err
			}
			return mergeLines(tx, k, size, lines)
		},
		Trust: trust.Merge,
	})
	v.blobs += n
	if err != nil {
		return err
	}
	st.Trust = formatTrust(trust)
	st.Refs = nil
	return nil
}

// readPaths maps the keys of the shard's main branch to their first path
// (in byte order): one shard's worth, while it is read whole.
func (v *view) readPaths(ctx context.Context, mainHead string) (map[annex.Key]string, error) {
	paths := map[annex.Key]string{}
	if mainHead == "" {
		return paths, nil // a shard without main: no paths
	}
	err := annex.ReadTree(ctx, v.git, mainHead, nil, func(p string, data []byte) error {
		// An annexed file is a symlink whose target ends in /KEY/KEY.
		k := annex.Key(path.Base(string(data)))
		if old, ok := paths[k]; k.Valid() && (!ok || p < old) {
			paths[k] = p
		}
		return nil
	})
	return paths, err
}

// apply folds in the location logs of the shard's keys that differ between
// from and to. A union merge never loses a line: deletions are ignored.
func (v *view) apply(ctx context.Context, tx store.HealthTx, from, to string) error {
	var wantErr error
	n, err := annex.ReadChanges(ctx, v.git, from, to, annex.BranchVisitor{
		Want: func(k annex.Key) bool {
			ok, err := tx.HasKey(string(k))
			if err != nil && wantErr == nil {
				wantErr = err
			}
			return ok
		},
		Log: func(k annex.Key, lines []annex.LogLine, deleted bool) error {
			if deleted {
				return nil
			}
			size, _ := k.Size()
			return mergeLines(tx, k, size, lines)
		},
	})
	v.blobs += n
	if err == nil {
		err = wantErr
	}
	return err
}

// mergeLines records the donors' lines of a key; the web's line is not
// kept: it is not a donor copy.
func mergeLines(tx store.HealthTx, k annex.Key, size int64, lines []annex.LogLine) error {
	for _, l := range lines {
		if l.Value == annex.WebUUID {
			continue
		}
		if err := tx.MergeLine(store.HealthLine{Key: string(k), Size: size, UUID: l.Value, Status: l.Status,
			Sec: l.Time.Sec, Nsec: l.Time.Nsec}); err != nil {
			return err
		}
	}
	return nil
}

// logLine is a recorded line as git-annex's.
func logLine(l store.HealthLine) annex.LogLine {
	return annex.LogLine{Time: annex.Timestamp{Sec: l.Sec, Nsec: l.Nsec}, Status: l.Status, Value: l.UUID}
}

// eachKeyLines hands over a shard's keys that have donor lines, each with
// its lines, in key order.
func (t *Tracker) eachKeyLines(shard string, fn func(k annex.Key, ks *keyState) error) error {
	var cur annex.Key
	ks := &keyState{}
	flush := func() error {
		if len(ks.lines) == 0 {
			return nil
		}
		err := fn(cur, ks)
		ks = &keyState{lines: ks.lines[:0]}
		return err
	}
	err := t.state.EachHealthLine(shard, func(l store.HealthLine) error {
		if annex.Key(l.Key) != cur {
			if err := flush(); err != nil {
				return err
			}
			cur = annex.Key(l.Key)
		}
		ks.size = l.Size
		ks.lines = append(ks.lines, logLine(l))
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
