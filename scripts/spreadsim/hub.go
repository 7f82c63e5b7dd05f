package main

import (
	"cmp"
	"slices"

	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
)

// The real planner is handed only the start of its own order: the files
// this donor could fetch (below the target, not held, no larger than its
// room), fewest copies first, then by the donor's rank (plan.DonorRank),
// then by key: the order the planner itself puts them in (the sim has no
// partial downloads, regions or large-file opt-in). The planner takes
// files in its order while they fit, so on a prefix of that order it
// takes the same first files as on all of them; when the batch ends
// before the prefix's plan does, it is the whole plan's batch. Otherwise
// a longer prefix is tried. TestFewestCopiesFirstIsTheWholePlan checks it
// against plans from every file (Config.FullPlans).
//
// A donor walks the files in its own rank order, kept once when it first
// plans (the rank of a key for a donor never changes), with one cursor
// per class of copies: files before cursor[c] can never again be a
// candidate with c copies (copies only grow, held files stay held, room
// only shrinks), so a plan looks at a few files past the cursors, not at
// the whole shard.

// firstPrefix is how many candidates a plan is first made from: enough
// for the batch in nearly every case (a test makes it 1, to try longer
// prefixes at every plan).
var firstPrefix = func(batchFiles int) int { return 4 * max(batchFiles, 1) }

// donorOrder is every file's index, by the donor's rank then key.
func (w *world) donorOrder(d *donor) []int32 {
	type ranked struct {
		rank uint64
		i    int32
	}
	r := make([]ranked, len(w.files))
	for i, f := range w.files {
		r[i] = ranked{plan.DonorRank(d.uuid, f.key), int32(i)}
	}
	slices.SortFunc(r, func(a, b ranked) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return cmp.Compare(w.files[a.i].key, w.files[b.i].key)
	})
	order := make([]int32, len(r))
	for i, x := range r {
		order[i] = x.i
	}
	return order
}

// gone says file f can never again be d's candidate with c copies.
func (w *world) gone(d *donor, f int32, c int, room int64) bool {
	return int(w.copies[f]) > c || d.has[f] || w.files[f].size > room
}

// prefix is the first n of d's candidates in the planner's order (fewer:
// all of them), in w.pick.
func (w *world) prefix(d *donor, n int, room int64) []int32 {
	if d.order == nil {
		d.order, d.cursor = w.donorOrder(d), make([]int, w.cfg.Target)
	}
	out := w.pick[:0]
	for c := 0; c < w.cfg.Target && len(out) < n; c++ {
		i := d.cursor[c]
		for i < len(d.order) && w.gone(d, d.order[i], c, room) {
			i++
		}
		d.cursor[c] = i
		for ; i < len(d.order) && len(out) < n; i++ {
			f := d.order[i]
			if int(w.copies[f]) == c && !d.has[f] && w.files[f].size <= room {
				out = append(out, f)
			}
		}
	}
	w.pick = out
	return out
}

// locationsOf is the hub's location logs of files fs.
func (w *world) locationsOf(fs []int32) *annex.Locations {
	loc := &annex.Locations{Logs: make(map[annex.Key][]annex.LogLine, len(fs)), Trust: annex.TrustLog{}}
	for _, f := range fs {
		loc.Logs[w.files[f].key] = w.lines[f]
	}
	return loc
}

// planBatch is the real planner's next batch for d, planned from the
// start of its order (a longer start until the batch is known), or with
// full from every file below the target (the reference).
func (w *world) planBatch(d *donor, in plan.PlanInput, full bool) []plan.Candidate {
	if full {
		return w.fullBatch(d, in)
	}
	for n := firstPrefix(w.cfg.BatchFiles); ; n *= 4 {
		fs := w.prefix(d, n, in.Room)
		in.Loc = w.locationsOf(fs)
		p := plan.MakePlanFrom(in)
		b := plan.BatchOf(p.Fetch, w.cfg.BatchFiles, w.cfg.BatchBytes)
		if len(b) < len(p.Fetch) || len(p.Fetch) == in.Limit || len(fs) < n {
			return b
		}
	}
}

// fullBatch plans from the location logs of every file below the target,
// with the donor's held files.
func (w *world) fullBatch(d *donor, in plan.PlanInput) []plan.Candidate {
	var below []int32
	in.Held = map[annex.Key]bool{}
	for f := range w.files {
		if int(w.copies[f]) < w.cfg.Target {
			below = append(below, int32(f))
		}
		if d.has[f] {
			in.Held[w.files[f].key] = true
		}
	}
	in.Loc = w.locationsOf(below)
	return plan.BatchOf(plan.MakePlanFrom(in).Fetch, w.cfg.BatchFiles, w.cfg.BatchBytes)
}
