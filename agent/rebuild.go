package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// treeChange is what a rebuild of the archive did to a shard's files.
type treeChange struct {
	removed  []annex.Key          // no longer in the shard
	replaced map[annex.Key]string // old version -> the new version's key
}

// diffTrees compares the shard's files before and after a rebuild.
func diffTrees(old, cur *tree) treeChange {
	ch := treeChange{replaced: map[annex.Key]string{}}
	for k, p := range old.byKey {
		if _, still := cur.byKey[k]; still {
			continue
		}
		if nk, ok := cur.byPath[p]; ok {
			ch.replaced[k] = string(nk)
		} else {
			ch.removed = append(ch.removed, k)
		}
	}
	return ch
}

// followRebuild brings a shard's files up to the archive's newest build
// (a fast-forward of its main branch) and does what the donor asked for
// the files the build removed or changed: a changed file's new version is
// fetched like any file, and its old version goes once the new one is
// here; a removed file is kept unless keep_removed_files is off.
func (a *Agent) followRebuild(ctx context.Context, sh home.ShardConfig) error {
	r := annexproc.NewRepo(a.opts.Tools, sh.Path, a.cfg.Hub)
	g := r.Git()
	up, err := g.Output(ctx, nil, "rev-parse", "--verify", "--quiet", "@{upstream}")
	if err != nil {
		return nil // no upstream branch (an odd clone): nothing to follow
	}
	old, err := a.treeOf(ctx, sh.Name)
	if err != nil || old.head == strings.TrimSpace(string(up)) {
		return err
	}
	if err := fastForward(ctx, g, old.head, strings.TrimSpace(string(up))); err != nil {
		return fmt.Errorf("follow the archive's new build of %s: %w", sh.Name, err)
	}
	cur, err := a.treeOf(ctx, sh.Name)
	if err != nil {
		return err
	}
	ch := diffTrees(old, cur)
	a.mu.Lock()
	held, _ := a.ledger.ShardView(sh.Name)
	keep := a.settings.KeepRemovedFiles
	if a.state.Replaced == nil {
		a.state.Replaced = map[string]string{}
	}
	var gone, kept, changed []annex.Key
	for _, k := range ch.removed {
		if held[k] && keep {
			kept = append(kept, k)
		} else if held[k] {
			gone = append(gone, k)
		}
	}
	for k, nk := range ch.replaced {
		if held[k] {
			a.state.Replaced[sh.Name+" "+string(k)] = nk
			changed = append(changed, k)
		}
	}
	a.home.SaveState(a.state)
	a.mu.Unlock()
	a.tellRebuild(sh.Name, old.byKey, kept, gone, changed)
	if len(gone) > 0 {
		a.dropGone(ctx, sh, gone, func(k annex.Key) string { return displayName(old.byKey[k], k) }, "the archive removed it")
	}
	return nil
}

// fastForward moves the shard's branch from old to up, when up descends
// from it. The shard has no index to update (sparse.go): update-ref, not
// a merge.
func fastForward(ctx context.Context, g annex.Git, old, up string) error {
	if _, err := g.Output(ctx, nil, "merge-base", "--is-ancestor", old, up); err != nil {
		return fmt.Errorf("the new build does not follow the old one (%w)", err)
	}
	_, err := g.Output(ctx, nil, "update-ref", "-m", "shardkeeper: follow the archive's new build", "HEAD", up, old)
	return err
}

// tellRebuild says in the activity view what a rebuild means for the donor.
func (a *Agent) tellRebuild(shard string, paths map[annex.Key]string, kept, gone, changed []annex.Key) {
	say := func(keys []annex.Key, what string) {
		if len(keys) == 0 {
			return
		}
		name := displayName(paths[keys[0]], keys[0])
		if len(keys) > 1 {
			name = words.Count(int64(len(keys)), "file", "files")
		}
		a.emit(control.Event{Kind: control.EventHub, Shard: shard, File: paths[keys[0]], Message: fmt.Sprintf(what, name)})
	}
	say(kept, "The archive removed %s you hold; you keep it, as your settings say (keep_removed_files)")
	say(gone, "The archive removed %s you hold; giving its space back, as your settings say (keep_removed_files off)")
	say(changed, "The archive changed %s you hold; fetching the new version, the old one goes once it is here")
}

// releaseReplaced gives back old versions whose new version is held now.
func (a *Agent) releaseReplaced(ctx context.Context, sh home.ShardConfig) {
	a.mu.Lock()
	held, _ := a.ledger.ShardView(sh.Name)
	var done []annex.Key
	for ref, nk := range a.state.Replaced {
		shard, k, _ := strings.Cut(ref, " ")
		if shard == sh.Name && (held[annex.Key(nk)] || !held[annex.Key(k)]) {
			done = append(done, annex.Key(k))
		}
	}
	t := a.trees[sh.Name]
	a.mu.Unlock()
	name := func(k annex.Key) string {
		nk := annex.Key(a.state.Replaced[sh.Name+" "+string(k)])
		if t != nil && t.byKey[nk] != "" {
			return "the old version of " + t.byKey[nk]
		}
		return string(k)
	}
	dropped := a.dropGone(ctx, sh, done, name, "its new version is here")
	if len(dropped) == 0 {
		return
	}
	a.mu.Lock()
	for _, k := range dropped {
		delete(a.state.Replaced, sh.Name+" "+string(k))
	}
	a.home.SaveState(a.state)
	a.mu.Unlock()
}

// dropGone drops objects that are no longer in the shard. The archive no
// longer serves them (or serves other bytes at their URL), so the usual
// check of the archive's copy cannot apply: this is the donor's own choice
// (or an old version of a file it holds anew). It returns what went.
func (a *Agent) dropGone(ctx context.Context, sh home.ShardConfig, keys []annex.Key, name func(annex.Key) string, why string) []annex.Key {
	if len(keys) == 0 {
		return nil
	}
	a.dropMu.Lock()
	defer a.dropMu.Unlock()
	r := annexproc.NewRepo(a.opts.Tools, sh.Path, a.cfg.Hub)
	var out []annex.Key
	for _, k := range keys {
		if _, err := r.Annex(ctx, nil, "drop", "--force", "--quiet", "--key="+string(k)); err != nil {
			a.log.Warn("could not give back a file the archive no longer has", "shard", sh.Name, "key", k, "err", err)
			continue
		}
		out = append(out, k)
		a.emit(control.Event{Kind: control.EventDropped, Shard: sh.Name, Key: string(k), File: name(k), Message: "Gave back " + name(k) + ": " + why})
	}
	if len(out) > 0 {
		a.requestPush()
	}
	return out
}

// currentKeys says whether a key is in the shard's tree as last read (nil
// when it was not read yet: every key is).
func (a *Agent) currentKeysLocked(shard string) func(annex.Key) bool {
	t := a.trees[shard]
	if t == nil {
		return nil
	}
	return func(k annex.Key) bool { _, ok := t.byKey[k]; return ok }
}
