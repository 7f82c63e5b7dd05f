package main

import (
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
)

// hubView is what the hub knows of the files below the target, kept so
// that a plan need not go over every file of the shard: upTo[c] holds the
// location logs of the files with at most c donor copies (upTo[target-1]:
// all of them), open the same files in a slice for the shuffle to draw
// from (files that reached the target leave it when drawn).
type hubView struct {
	upTo []*annex.Locations
	open []annex.Key
}

func newHubView(target int) *hubView {
	h := &hubView{}
	for range target {
		h.upTo = append(h.upTo, annex.NewLocations())
	}
	return h
}

// add is a file with no donor copy yet.
func (h *hubView) add(k annex.Key, lines []annex.LogLine) {
	for _, loc := range h.upTo {
		loc.Logs[k] = lines
	}
	h.open = append(h.open, k)
}

// copied records that k has copies donor copies now, line the newest.
func (h *hubView) copied(k annex.Key, copies int, line annex.LogLine) {
	all := h.upTo[len(h.upTo)-1]
	lines, ok := all.Logs[k]
	if !ok {
		return // at the target already
	}
	if copies >= len(h.upTo) {
		delete(all.Logs, k)
		return
	}
	lines = append(lines, line)
	delete(h.upTo[copies-1].Logs, k)
	for _, loc := range h.upTo[copies:] {
		loc.Logs[k] = lines
	}
}

// planBatch is the real planner's next batch for a donor. It plans from
// the files with the fewest copies first (upTo[0], then upTo[1], ...):
// they come first in the planner's order (rarest first; the sim has no
// partial downloads or regions, and a donor's own copies are held), so
// such a plan is the start of the plan of every file, taking the same
// room; when its batch ends before the plan does (or the plan has the
// most files a batch can use), it is the whole plan's batch. Otherwise the
// next class joins. full plans from every file at once (the reference,
// TestFewestCopiesFirstIsTheWholePlan).
func (h *hubView) planBatch(in plan.PlanInput, batchFiles int, batchBytes int64, full bool) []plan.Candidate {
	from := h.upTo
	if full {
		from = from[len(from)-1:]
	}
	for i, loc := range from {
		in.Loc = loc
		p := plan.MakePlanFrom(in)
		b := plan.BatchOf(p.Fetch, batchFiles, batchBytes)
		if len(b) < len(p.Fetch) || len(p.Fetch) == in.Limit || i == len(from)-1 {
			return b
		}
	}
	return nil
}
