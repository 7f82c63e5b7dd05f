package agent

import (
	"sync"

	"github.com/shardkeeper/shardkeeper/annex"
)

// objRef names an annexed object in one of the donor's shards.
type objRef struct {
	shard string
	key   annex.Key
}

// object is a complete annexed object on disk.
type object struct {
	size  int64 // content size
	usage int64 // blocks on disk
}

// ledger is the agent's part that accounts for its disk use: complete
// objects, partial downloads (kept for resume) and reservations for
// downloads in flight. A download starts only when its reservation fits
// the budget (admit), so parallel downloads never overshoot. It owns its
// state and its lock: the rest of the agent goes through its methods.
// Callbacks given to the each* methods run under the ledger's lock and
// must not call the ledger.
type ledger struct {
	mu       sync.Mutex
	budget   int64
	block    int64
	held     map[objRef]object
	partial  map[objRef]int64 // usage of partial downloads not in flight
	inflight map[objRef]int64 // reservations
	// Each storage location has its own cap too: locOf maps a shard to
	// its location, caps a location to its budget.
	locOf map[string]string
	caps  map[string]int64
	// The repositories' own files, per location (metausage.go): as last
	// measured, and booked for objects fetched since.
	meta        map[string]int64
	metaPending map[string]int64
	contentOnly bool // Options.ContentOnlyBudget: no slack for them either
}

func newLedger() *ledger {
	return &ledger{held: map[objRef]object{}, partial: map[objRef]int64{}, inflight: map[objRef]int64{}, block: 4096,
		meta: map[string]int64{}, metaPending: map[string]int64{}}
}

// setLimits sets the budget, each storage location's cap and which
// location each shard is in.
func (l *ledger) setLimits(budget int64, caps map[string]int64, locOf map[string]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.budget, l.caps, l.locOf = budget, caps, locOf
}

// setBlock sets the block size of the main storage's file system.
func (l *ledger) setBlock(block int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.block = block
}

// limits returns the budget and the block size.
func (l *ledger) limits() (budget, block int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.budget, l.block
}

// capOf is a storage location's cap, when it has one.
func (l *ledger) capOf(loc string) (int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.caps[loc]
	return c, ok
}

// roomIn is what is left under a storage location's cap.
func (l *ledger) roomIn(loc string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.caps[loc] - l.usedInLocked(loc)
}

// used is the space counted against the budget now.
func (l *ledger) used() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.usedLocked()
}

// room is what is left under the budget.
func (l *ledger) room() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.budget - l.usedLocked()
}

func (l *ledger) usedLocked() int64 {
	n := l.settledLocked()
	for _, r := range l.inflight {
		n += r
	}
	return n
}

// settled is the space of complete objects and partial downloads not in
// flight: what is on disk, downloads under way aside.
func (l *ledger) settled() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.settledLocked()
}

func (l *ledger) settledLocked() int64 {
	n := l.metaTotalLocked()
	for _, o := range l.held {
		n += o.usage
	}
	for _, u := range l.partial {
		n += u
	}
	return n
}

// admit reserves room for downloading ref (size bytes) and reports
// whether it fit. A partial download of it is part of the reservation.
func (l *ledger) admit(ref objRef, size int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := reserveFor(size, l.block) + l.metaGrowth()
	if l.usedLocked()-l.partial[ref]+r+l.metaSlack() > l.budget {
		return false
	}
	if loc, ok := l.locOf[ref.shard]; ok {
		if c, capped := l.caps[loc]; capped && l.usedInLocked(loc)-l.partial[ref]+r > c {
			return false
		}
	}
	delete(l.partial, ref)
	l.inflight[ref] = r
	return true
}

// finish ends a download: the reservation becomes what is really on disk.
func (l *ledger) finish(ref objRef, obj object, partialUsage int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.inflight, ref)
	if obj.usage > 0 || obj.size > 0 {
		if _, had := l.held[ref]; !had {
			l.metaPending[l.locOf[ref.shard]] += l.metaGrowth()
		}
		l.held[ref] = obj
	}
	if partialUsage > 0 {
		l.partial[ref] = partialUsage
	}
}

// replaceShard takes a fresh scan of one shard's objects and partials.
func (l *ledger) replaceShard(shard string, held map[annex.Key]object, partial map[annex.Key]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ref := range l.held {
		if ref.shard == shard {
			delete(l.held, ref)
		}
	}
	for ref := range l.partial {
		if ref.shard == shard {
			delete(l.partial, ref)
		}
	}
	for k, o := range held {
		l.held[objRef{shard, k}] = o
	}
	for k, u := range partial {
		if _, busy := l.inflight[objRef{shard, k}]; !busy {
			l.partial[objRef{shard, k}] = u
		}
	}
}

// heldOf lists one shard's complete objects.
func (l *ledger) heldOf(shard string) map[annex.Key]object {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[annex.Key]object{}
	for ref, o := range l.held {
		if ref.shard == shard {
			out[ref.key] = o
		}
	}
	return out
}

// shardView is what the planner needs of one shard: the keys held or
// being fetched, and the partial downloads.
func (l *ledger) shardView(shard string) (held map[annex.Key]bool, partial map[annex.Key]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	held, partial = map[annex.Key]bool{}, map[annex.Key]int64{}
	for ref := range l.held {
		if ref.shard == shard {
			held[ref.key] = true
		}
	}
	for ref := range l.inflight {
		if ref.shard == shard {
			held[ref.key] = true
		}
	}
	for ref, u := range l.partial {
		if ref.shard == shard {
			partial[ref.key] = u
		}
	}
	return held, partial
}

// object returns a complete object, and whether it is held.
func (l *ledger) object(ref objRef) (object, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o, ok := l.held[ref]
	return o, ok
}

// heldCount is how many complete objects there are.
func (l *ledger) heldCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.held)
}

// forget takes a dropped object off the books and returns it.
func (l *ledger) forget(ref objRef) object {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.held[ref]
	delete(l.held, ref)
	return o
}

// forgetPartial takes a removed partial download off the books.
func (l *ledger) forgetPartial(ref objRef) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.partial, ref)
}

// eachHeld calls fn for every complete object.
func (l *ledger) eachHeld(fn func(objRef, object)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ref, o := range l.held {
		fn(ref, o)
	}
}

// eachPartial calls fn for every partial download not in flight.
func (l *ledger) eachPartial(fn func(objRef, int64)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ref, u := range l.partial {
		fn(ref, u)
	}
}

// eachInflight calls fn for every download in flight.
func (l *ledger) eachInflight(fn func(objRef)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ref := range l.inflight {
		fn(ref)
	}
}

// usedIn is the space counted against one storage location's cap.
func (l *ledger) usedIn(loc string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.usedInLocked(loc)
}

func (l *ledger) usedInLocked(loc string) int64 {
	n := l.meta[loc] + l.metaPending[loc]
	for ref, o := range l.held {
		if l.locOf[ref.shard] == loc {
			n += o.usage
		}
	}
	for ref, u := range l.partial {
		if l.locOf[ref.shard] == loc {
			n += u
		}
	}
	for ref, r := range l.inflight {
		if l.locOf[ref.shard] == loc {
			n += r
		}
	}
	return n
}

// setMeta books a fresh measurement of a location's own files, and what
// committing its journal entries will add.
func (l *ledger) setMeta(loc string, n, journal int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.meta[loc] = n
	l.metaPending[loc] = journal * commitBlocks * l.block
}

// metaOf is what a location's own files take, as booked.
func (l *ledger) metaOf(loc string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.meta[loc] + l.metaPending[loc]
}

// metaTotal is what the repositories' own files take in every location.
func (l *ledger) metaTotal() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.metaTotalLocked()
}

func (l *ledger) metaTotalLocked() int64 {
	var n int64
	for _, m := range l.meta {
		n += m
	}
	for _, m := range l.metaPending {
		n += m
	}
	return n
}

// metaGrowth is what one more held object adds to its repository's own
// files (metausage.go).
func (l *ledger) metaGrowth() int64 {
	if l.contentOnly {
		return 0
	}
	return metaGrowthBlocks * l.block
}

// metaSlack stays free for git-annex's bursts (metausage.go).
func (l *ledger) metaSlack() int64 {
	if l.contentOnly {
		return 0
	}
	return metaSlackBlocks * l.block
}
