package agent

// Everything Shardkeeper writes in a storage location counts against the
// budget: besides the objects and partial downloads (which the ledger
// books one by one), each shard repository's own files (.git's packs,
// index, git-annex's branch index and journal, the objects' directories)
// and the location's marker. The agent measures them the way du does
// (allocated blocks, each inode once) at every cycle and after fill
// batches, and between two measurements books metaGrowthBlocks for each
// object fetched: what its location log, its directory and the commit
// that records it add. See docs/donor-agent.md.

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// metaGrowthBlocks is what one more held object adds to its repository's
// own files, in blocks, measured on ext4: its directories in
// .git/annex/objects (KEY, and mostly new hash directories), the journal
// file and then the loose blob of its location log, and the trees of the
// commit that records it (about 9; git's gc packs the loose objects later).
const metaGrowthBlocks = 10

// commitBlocks is what one uncommitted location log (a file in git-annex's
// journal) adds when git-annex commits it: a loose blob and its share of
// the commit's trees. A measurement books it for every journal entry, so
// the commit after a fill (at the next merge or push) is already counted.
const commitBlocks = 4

// metaSlackBlocks stays free under the budget for what git-annex writes
// once or in bursts: its keys database, commits and merges from the hub,
// whose loose objects git packs at looseObjectsLimit (sparse.go).
const metaSlackBlocks = 320

// metaEvery is how often fill batches measure the repositories' own files
// (each cycle measures them too).
const metaEvery = 30 * time.Second

// MetaUsage is the disk usage in dir (a storage location) of everything but
// the annexed objects and partial downloads: allocated blocks, each inode
// counted once, as du counts them.
func MetaUsage(dir string) (int64, error) {
	n, _, err := metaUsage(dir)
	return n, err
}

// metaUsage is MetaUsage and the number of uncommitted location logs.
func metaUsage(dir string) (n int64, journal int, err error) {
	seen := map[uint64]bool{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we looked (a finished download)
			}
			return err
		}
		if d.Type().IsRegular() && bookedByLedger(p, d.Name()) {
			return nil
		}
		if d.Type().IsRegular() && strings.HasSuffix(filepath.ToSlash(filepath.Dir(p)), "/.git/annex/journal") {
			journal++
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if ino, ok := inode(info); ok {
			if seen[ino] {
				return nil
			}
			seen[ino] = true
		}
		n += diskUsage(info)
		return nil
	})
	return n, journal, err
}

// bookedByLedger says whether a file is an object (objects/.../KEY/KEY) or
// a partial download (annex/tmp/KEY), which the ledger counts itself.
func bookedByLedger(p, name string) bool {
	parent := filepath.Base(filepath.Dir(p))
	slash := filepath.ToSlash(p)
	switch {
	case parent == name && strings.Contains(slash, "/.git/annex/objects/"):
		return true
	case parent == "tmp" && strings.HasSuffix(filepath.ToSlash(filepath.Dir(p)), "/.git/annex/tmp"):
		return true
	}
	return false
}

// metaClock throttles the measurements of fill batches.
type metaClock struct {
	mu   sync.Mutex
	last time.Time
}

// measureMeta measures each online storage location's own files and books
// them in the ledger. Unless force, it does nothing within metaEvery of the
// last measurement.
func (a *Agent) measureMeta(force bool) {
	if a.opts.ContentOnlyBudget {
		return
	}
	now := a.clock.Now()
	a.metaClock.mu.Lock()
	if !force && now.Sub(a.metaClock.last) < metaEvery {
		a.metaClock.mu.Unlock()
		return
	}
	a.metaClock.last = now
	a.metaClock.mu.Unlock()
	a.mu.Lock()
	type loc struct{ id, path string }
	var locs []loc
	for i, l := range a.cfg.Locations {
		if a.online[l.ID] || i == 0 {
			locs = append(locs, loc{l.ID, l.Path})
		}
	}
	a.mu.Unlock()
	for _, l := range locs {
		n, journal, err := metaUsage(l.path)
		if err != nil {
			a.log.Warn("could not measure the storage folder", "path", l.path, "err", err)
			continue
		}
		a.ledger.setMeta(l.id, n, int64(journal))
	}
}
