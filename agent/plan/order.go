package plan

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// entry is a candidate's place in the plan's order, computed once so that
// comparing two does no string or hash work: partial downloads first, then
// fewer copies, then fewer in the donor's region (class); for a donor that
// opted in to large files the largest (size); then the donor's rank; and
// on a tie of all that, the key (cands[i].Key).
type entry struct {
	class uint64
	size  uint64
	rank  uint64
	i     int32
}

// orderOf is c's entry; c is cands[i]. Copies and InRegion count log
// lines, far below 2^31.
func orderOf(c Candidate, i int, bySize bool) entry {
	e := entry{class: uint64(c.Copies)<<32 | uint64(c.InRegion), rank: c.rank, i: int32(i)}
	if !c.Partial {
		e.class |= 1 << 63
	}
	if bySize {
		e.size = ^uint64(c.Size) // larger first; sizes are not negative
	}
	return e
}

// scratch is one plan's working space, reused from plan to plan when it
// is small.
type scratch struct {
	cands  []Candidate
	order  []entry
	picked []int32 // indexes in cands of the files the plan takes
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooled is the most candidates a pooled scratch has room for. A
// larger one (about 10 MB for a 100k-file shard) is left to the garbage
// collector: the pool would keep it through the next collection, and the
// agent's single one when it goes idle (debug.FreeOSMemory) would not give
// it back, so an idle agent would hold it. A plan that large is made once
// per batch, minutes apart, so allocating it each time costs little.
const maxPooled = 4096

// room makes room for one more candidate, of at most all. Once s is full
// with maxPooled or more (too large to pool), it grows at once to all: one
// allocation, not a growing series (a plan of a 100k-file shard allocated
// 50 MB that way).
func (s *scratch) room(all int) {
	if len(s.cands) < cap(s.cands) || len(s.cands) < maxPooled || all <= len(s.cands) {
		return
	}
	s.cands = slices.Grow(s.cands, all-len(s.cands))
	s.order = slices.Grow(s.order, all-len(s.order))
}

// put empties s (no keys kept alive) and gives it back to the pool.
func (s *scratch) put() {
	if cap(s.cands) > maxPooled || cap(s.order) > maxPooled {
		return
	}
	clear(s.cands)
	s.cands, s.order, s.picked = s.cands[:0], s.order[:0], s.picked[:0]
	scratchPool.Put(s)
}

// compare is the plan's order.
func (s *scratch) compare(a, b entry) int {
	if c := cmp.Compare(a.class, b.class); c != 0 {
		return c
	}
	if c := cmp.Compare(a.size, b.size); c != 0 {
		return c
	}
	if c := cmp.Compare(a.rank, b.rank); c != 0 {
		return c
	}
	return strings.Compare(string(s.cands[a.i].Key), string(s.cands[b.i].Key))
}

// heapOf is a binary min-heap of entries: the first files of the order
// without sorting the rest.
type heapOf struct {
	e   []entry
	cmp func(a, b entry) int
}

func (h *heapOf) init() {
	for i := len(h.e)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// pop removes and returns the first entry.
func (h *heapOf) pop() entry {
	top, last := h.e[0], len(h.e)-1
	h.e[0] = h.e[last]
	h.e = h.e[:last]
	h.down(0)
	return top
}

func (h *heapOf) down(i int) {
	n := len(h.e)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.cmp(h.e[r], h.e[l]) < 0 {
			m = r
		}
		if h.cmp(h.e[m], h.e[i]) >= 0 {
			return
		}
		h.e[i], h.e[m] = h.e[m], h.e[i]
		i = m
	}
}
