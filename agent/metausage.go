package agent

// Everything Shardkeeper writes in a storage location counts against the
// budget: besides the objects and partial downloads (which the ledger
// books one by one), each shard repository's own files (.git's packs,
// index, git-annex's branch index and journal, the objects' directories)
// and the location's marker. The agent measures them the way du does
// (allocated blocks, each inode once) at every cycle and after fill
// batches, and between two measurements books ledger.MetaGrowthBlocks for
// each object fetched: what its location log, its directory and the commit
// that records it add. See docs/donor-agent.md.

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/ledger"
)

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
		n += ledger.DiskUsage(info)
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
		a.ledger.SetMeta(l.id, n, int64(journal))
	}
}
