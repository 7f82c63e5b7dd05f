package agent

import "github.com/shardkeeper/shardkeeper/annex"

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

// ledger is the agent's account of its disk use: complete objects,
// partial downloads (kept for resume) and reservations for downloads in
// flight. A download starts only when its reservation fits the budget,
// so parallel downloads never overshoot. The agent's mutex guards it.
type ledger struct {
	budget   int64
	block    int64
	held     map[objRef]object
	partial  map[objRef]int64 // usage of partial downloads not in flight
	inflight map[objRef]int64 // reservations
	// Each storage location has its own cap too: locOf maps a shard to
	// its location, caps a location to its budget.
	locOf map[string]string
	caps  map[string]int64
}

func newLedger() *ledger {
	return &ledger{held: map[objRef]object{}, partial: map[objRef]int64{}, inflight: map[objRef]int64{}, block: 4096}
}

// used is the space counted against the budget now.
func (l *ledger) used() int64 {
	n := l.settled()
	for _, r := range l.inflight {
		n += r
	}
	return n
}

// settled is the space of complete objects and partial downloads not in
// flight: what is on disk, downloads under way aside.
func (l *ledger) settled() int64 {
	var n int64
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
	r := reserveFor(size, l.block)
	if l.used()-l.partial[ref]+r > l.budget {
		return false
	}
	if loc, ok := l.locOf[ref.shard]; ok {
		if c, capped := l.caps[loc]; capped && l.usedIn(loc)-l.partial[ref]+r > c {
			return false
		}
	}
	delete(l.partial, ref)
	l.inflight[ref] = r
	return true
}

// finish ends a download: the reservation becomes what is really on disk.
func (l *ledger) finish(ref objRef, obj object, partialUsage int64) {
	delete(l.inflight, ref)
	if obj.usage > 0 || obj.size > 0 {
		l.held[ref] = obj
	}
	if partialUsage > 0 {
		l.partial[ref] = partialUsage
	}
}

// replaceShard takes a fresh scan of one shard's objects and partials.
func (l *ledger) replaceShard(shard string, held map[annex.Key]object, partial map[annex.Key]int64) {
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
	out := map[annex.Key]object{}
	for ref, o := range l.held {
		if ref.shard == shard {
			out[ref.key] = o
		}
	}
	return out
}

// usedIn is the space counted against one storage location's cap.
func (l *ledger) usedIn(loc string) int64 {
	var n int64
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
