package ledger

// The repositories' own files count against the budget too (issue 11):
// the agent measures them (agent/metausage.go) and books them here; between
// two measurements each object fetched books MetaGrowthBlocks.

// MetaGrowthBlocks is what one more held object adds to its repository's
// own files, in blocks, measured on ext4: its directories in
// .git/annex/objects (KEY, and mostly new hash directories), the journal
// file and then the loose blob of its location log, and the trees of the
// commit that records it (about 9; git packs the loose objects later).
const MetaGrowthBlocks = 10

// CommitBlocks is what one uncommitted location log (a file in git-annex's
// journal) adds when git-annex commits it: a loose blob and its share of
// the commit's trees. A measurement books it for every journal entry.
const CommitBlocks = 4

// The growth room stays free under the budget for what git-annex writes
// in bursts between two measurements, and it scales with the shard (issue
// 11): about 1.1 MB for a shard of 40 files, 42 MB for 100k files.
// GrowthRoom is one shard's; docs/donor-agent.md explains each term.
const (
	// RestateBytes is what one file's location log adds to the repository
	// (packed, with its share of trees) when other donors re-state it:
	// every verification re-states every held file's line, and the next
	// fetch from the hub brings them all.
	RestateBytes = 64
	// LooseBlocks is about the most loose objects a repository keeps
	// before git packs them (gc.auto in agent/sparse.go, 4 KB each on
	// ext4). Every change writes some (drops, verifications, merges), so
	// even a tiny shard reaches it: the room keeps it whole, less the loose
	// objects already there (they are in the measured size).
	LooseBlocks = 256
	// AnnexIndexPerFile is about what git-annex's index takes per file
	// (its location log and URL log entries; 35 MB for 100k files), for
	// an estimate before a repository is there to measure.
	AnnexIndexPerFile = 360
)

// GrowthRoom is the room a shard of files files keeps free under the
// budget, given its git-annex index (annexIndex bytes) and the loose
// objects it has now: git-annex writes that index anew, beside the old
// one, at every commit (about 350 bytes a file), other donors' re-stated
// lines come with each fetch, and merges leave loose objects until git
// packs them. Loose objects already there are in the measured size: they
// use up their part of the room.
func GrowthRoom(files, annexIndex, loose, block int64) int64 {
	if block <= 0 {
		block = 4096
	}
	looseRoom := max(LooseBlocks-loose, 0)
	return (annexIndex+block-1)/block*block + files*RestateBytes + looseRoom*block
}

// SetRoom books the growth room of a storage location's shards.
func (l *Ledger) SetRoom(loc string, n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.room[loc] = n
}

// KeepLocations forgets the own files and growth room of every location
// not in ids: a storage location the donor removed counts no more.
func (l *Ledger) KeepLocations(ids []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keep := make(map[string]bool, len(ids))
	for _, id := range ids {
		keep[id] = true
	}
	for _, m := range []map[string]int64{l.meta, l.metaPending, l.room} {
		for loc := range m {
			if !keep[loc] {
				delete(m, loc)
			}
		}
	}
}

// SetContentOnly leaves the repositories' own files out of the budget:
// only for tests that reason about content alone.
func (l *Ledger) SetContentOnly(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.contentOnly = on
}

// SetMeta books a fresh measurement of a location's own files, and what
// committing its journal entries will add.
func (l *Ledger) SetMeta(loc string, n, journal int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.meta[loc] = n
	l.metaPending[loc] = journal * CommitBlocks * l.block
}

// MetaOf is what a location's own files take, as booked.
func (l *Ledger) MetaOf(loc string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.meta[loc] + l.metaPending[loc]
}

// MetaTotal is what the repositories' own files take in every location.
func (l *Ledger) MetaTotal() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.metaTotalLocked()
}

func (l *Ledger) metaTotalLocked() int64 {
	var n int64
	for _, m := range l.meta {
		n += m
	}
	for _, m := range l.metaPending {
		n += m
	}
	return n
}

func (l *Ledger) metaGrowth() int64 {
	if l.contentOnly {
		return 0
	}
	return MetaGrowthBlocks * l.block
}

// MetaSlack is what stays free under the budget for the repositories'
// own files to grow: every location's growth room (0 for a content-only
// budget).
func (l *Ledger) MetaSlack() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.metaSlack()
}

func (l *Ledger) metaSlack() int64 {
	if l.contentOnly {
		return 0
	}
	var n int64
	for _, r := range l.room {
		n += r
	}
	return n
}

// RoomForFiles is what is left under the budget for files once the growth
// room is kept, and GrowthPerFile what each object fetched books for its
// repository (MetaGrowthBlocks): what admission will ask, for the planner.
func (l *Ledger) RoomForFiles() (room, growthPerFile int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.budget - l.usedLocked() - l.metaSlack(), l.metaGrowth()
}

// roomIn is one location's growth room (0 for a content-only budget).
func (l *Ledger) roomIn(loc string) int64 {
	if l.contentOnly {
		return 0
	}
	return l.room[loc]
}
