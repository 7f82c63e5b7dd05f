// Package ledger is the agent's budget ledger with admission: what is on
// disk, partial downloads kept for resume, and reservations for downloads in
// flight, against the budget and each storage location's cap.
package ledger

import (
	"sync"

	"github.com/shardkeeper/shardkeeper/annex"
)

// Ref names an annexed object in one of the donor's shards.
type Ref struct {
	Shard string
	Key   annex.Key
}

// Object is a complete annexed object on disk.
type Object struct {
	Size  int64 // content size
	Usage int64 // blocks on disk
}

// Ledger is the agent's part that accounts for its disk use: complete
// objects, partial downloads (kept for resume) and reservations for
// downloads in flight. A download starts only when its reservation fits
// the budget (admit), so parallel downloads never overshoot. It owns its
// state and its lock: the rest of the agent goes through its methods.
// Callbacks given to the each* methods run under the ledger's lock and
// must not call the ledger.
type Ledger struct {
	mu       sync.Mutex
	budget   int64
	block    int64
	held     map[Ref]Object
	partial  map[Ref]int64 // usage of partial downloads not in flight
	inflight map[Ref]int64 // reservations
	// Each storage location has its own cap too: locOf maps a shard to
	// its location, caps a location to its budget.
	locOf map[string]string
	caps  map[string]int64
	// The repositories' own files, per location (meta.go): as last
	// measured, and booked for objects fetched since.
	meta        map[string]int64
	metaPending map[string]int64
	room        map[string]int64 // growth room, per location
	contentOnly bool
}

func New() *Ledger {
	return &Ledger{held: map[Ref]Object{}, partial: map[Ref]int64{}, inflight: map[Ref]int64{}, block: 4096,
		meta: map[string]int64{}, metaPending: map[string]int64{}, room: map[string]int64{}}
}

// SetLimits sets the budget, each storage location's cap and which
// location each shard is in.
func (l *Ledger) SetLimits(budget int64, caps map[string]int64, locOf map[string]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.budget, l.caps, l.locOf = budget, caps, locOf
}

// SetBlock sets the block size of the main storage's file system.
func (l *Ledger) SetBlock(block int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.block = block
}

// Limits returns the budget and the block size.
func (l *Ledger) Limits() (budget, block int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.budget, l.block
}

// CapOf is a storage location's cap, when it has one.
func (l *Ledger) CapOf(loc string) (int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.caps[loc]
	return c, ok
}

// RoomIn is what is left under a storage location's cap once its growth
// room is kept free, as Admit keeps it.
func (l *Ledger) RoomIn(loc string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.caps[loc] - l.usedInLocked(loc) - l.roomIn(loc)
}

// Used is the space counted against the budget now.
func (l *Ledger) Used() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.usedLocked()
}

// Room is what is left under the budget, the growth room included (see
// RoomForFiles for the room that downloads may use).
func (l *Ledger) Room() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.budget - l.usedLocked()
}

func (l *Ledger) usedLocked() int64 {
	n := l.settledLocked()
	for _, r := range l.inflight {
		n += r
	}
	return n
}

// Settled is the space of complete objects and partial downloads not in
// flight: what is on disk, downloads under way aside.
func (l *Ledger) Settled() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.settledLocked()
}

func (l *Ledger) settledLocked() int64 {
	n := l.metaTotalLocked()
	for _, o := range l.held {
		n += o.Usage
	}
	for _, u := range l.partial {
		n += u
	}
	return n
}

// Admit reserves room for downloading ref (size bytes) and reports
// whether it fit. A partial download of it is part of the reservation.
func (l *Ledger) Admit(ref Ref, size int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := Reserve(size, l.block) + l.metaGrowth()
	if l.usedLocked()-l.partial[ref]+r+l.metaSlack() > l.budget {
		return false
	}
	if loc, ok := l.locOf[ref.Shard]; ok {
		if c, capped := l.caps[loc]; capped && l.usedInLocked(loc)-l.partial[ref]+r+l.roomIn(loc) > c {
			return false
		}
	}
	delete(l.partial, ref)
	l.inflight[ref] = r
	return true
}

// Finish ends a download: the reservation becomes what is really on disk.
func (l *Ledger) Finish(ref Ref, obj Object, partialUsage int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.inflight, ref)
	if obj.Usage > 0 || obj.Size > 0 {
		if _, had := l.held[ref]; !had {
			l.metaPending[l.locOf[ref.Shard]] += l.metaGrowth()
		}
		l.held[ref] = obj
	}
	if partialUsage > 0 {
		l.partial[ref] = partialUsage
	}
}

// ReplaceShard takes a fresh scan of one shard's objects and partials.
func (l *Ledger) ReplaceShard(shard string, held map[annex.Key]Object, partial map[annex.Key]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ref := range l.held {
		if ref.Shard == shard {
			delete(l.held, ref)
		}
	}
	for ref := range l.partial {
		if ref.Shard == shard {
			delete(l.partial, ref)
		}
	}
	for k, o := range held {
		l.held[Ref{Shard: shard, Key: k}] = o
	}
	for k, u := range partial {
		if _, busy := l.inflight[Ref{Shard: shard, Key: k}]; !busy {
			l.partial[Ref{Shard: shard, Key: k}] = u
		}
	}
}

// HeldOf lists one shard's complete objects.
func (l *Ledger) HeldOf(shard string) map[annex.Key]Object {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[annex.Key]Object{}
	for ref, o := range l.held {
		if ref.Shard == shard {
			out[ref.Key] = o
		}
	}
	return out
}

// ShardView is what the planner needs of one shard: the keys held or
// being fetched, and the partial downloads.
func (l *Ledger) ShardView(shard string) (held map[annex.Key]bool, partial map[annex.Key]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	held, partial = map[annex.Key]bool{}, map[annex.Key]int64{}
	for ref := range l.held {
		if ref.Shard == shard {
			held[ref.Key] = true
		}
	}
	for ref := range l.inflight {
		if ref.Shard == shard {
			held[ref.Key] = true
		}
	}
	for ref, u := range l.partial {
		if ref.Shard == shard {
			partial[ref.Key] = u
		}
	}
	return held, partial
}

// Object returns a complete object, and whether it is held.
func (l *Ledger) Object(ref Ref) (Object, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o, ok := l.held[ref]
	return o, ok
}

// HeldCount is how many complete objects there are.
func (l *Ledger) HeldCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.held)
}

// Forget takes a dropped object off the books and returns it.
func (l *Ledger) Forget(ref Ref) Object {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.held[ref]
	delete(l.held, ref)
	return o
}

// ForgetPartial takes a removed partial download off the books.
func (l *Ledger) ForgetPartial(ref Ref) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.partial, ref)
}

// EachHeld calls fn for every complete object.
func (l *Ledger) EachHeld(fn func(Ref, Object)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ref, o := range l.held {
		fn(ref, o)
	}
}

// EachPartial calls fn for every partial download not in flight.
func (l *Ledger) EachPartial(fn func(Ref, int64)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ref, u := range l.partial {
		fn(ref, u)
	}
}

// EachInflight calls fn for every download in flight.
func (l *Ledger) EachInflight(fn func(Ref)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ref := range l.inflight {
		fn(ref)
	}
}

// UsedIn is the space counted against one storage location's cap.
func (l *Ledger) UsedIn(loc string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.usedInLocked(loc)
}

func (l *Ledger) usedInLocked(loc string) int64 {
	n := l.meta[loc] + l.metaPending[loc]
	for ref, o := range l.held {
		if l.locOf[ref.Shard] == loc {
			n += o.Usage
		}
	}
	for ref, u := range l.partial {
		if l.locOf[ref.Shard] == loc {
			n += u
		}
	}
	for ref, r := range l.inflight {
		if l.locOf[ref.Shard] == loc {
			n += r
		}
	}
	return n
}

// Reserve is the space a download of size bytes may take before it is
// done: whole blocks, a little for the filesystem's own bookkeeping of
// large files, and one spare block.
func Reserve(size, block int64) int64 {
	if block <= 0 {
		block = 4096
	}
	n := size + size/1024
	return (n+block-1)/block*block + block
}

// ExpectedUsage is what a finished download of size bytes will most likely
// take on disk: whole blocks. Plans rank files by it; admission reserves the
// safer Reserve, so the budget still holds while downloads run. Planning
// with the reservation instead would top a plan up with common files while
// a rare one only seemed not to fit.
func ExpectedUsage(size, block int64) int64 {
	if block <= 0 {
		block = 4096
	}
	return (size + block - 1) / block * block
}
