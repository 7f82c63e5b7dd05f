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

// MetaSlackBlocks stays free under the budget for what git-annex writes
// once or in bursts: its keys database, commits and merges from the hub,
// whose loose objects git packs at gc.auto (agent/sparse.go).
const MetaSlackBlocks = 320

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

func (l *Ledger) metaSlack() int64 {
	if l.contentOnly {
		return 0
	}
	return MetaSlackBlocks * l.block
}
