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
	m, err := metaUsage(dir)
	return m.n, err
}

// metaMeasure is what metaUsage found in a storage location.
type metaMeasure struct {
	n          int64            // MetaUsage
	journal    int              // uncommitted location logs
	annexIndex map[string]int64 // each repository's git-annex index, by repository path
	loose      map[string]int64 // each repository's loose objects, by repository path
}

// metaUsage is MetaUsage, the number of uncommitted location logs and the
// repositories' git-annex index sizes (their growth room: ledger.GrowthRoom).
func metaUsage(dir string) (m metaMeasure, err error) {
	seen := map[uint64]bool{}
	m.annexIndex, m.loose = map[string]int64{}, map[string]int64{}
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
			m.journal++
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
		u := ledger.DiskUsage(info)
		m.n += u
		if repo, ok := strings.CutSuffix(filepath.ToSlash(p), "/.git/annex/index"); ok {
			m.annexIndex[filepath.Clean(filepath.FromSlash(repo))] = u
		}
		if repo, ok := looseObjectRepo(p); ok {
			m.loose[repo]++
		}
		return nil
	})
	return m, err
}

// looseObjectRepo says whether p is a loose object (.git/objects/xx/...)
// and of which repository.
func looseObjectRepo(p string) (string, bool) {
	dir := filepath.Dir(p)
	if len(filepath.Base(dir)) != 2 || filepath.Base(filepath.Dir(dir)) != "objects" {
		return "", false
	}
	git := filepath.Dir(filepath.Dir(dir))
	if filepath.Base(git) != ".git" {
		return "", false
	}
	return filepath.Clean(filepath.Dir(git)), true
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
	var configured []string
	for i, l := range a.cfg.Locations {
		configured = append(configured, l.ID)
		if a.online[l.ID] || i == 0 {
			locs = append(locs, loc{l.ID, l.Path})
		}
	}
	a.mu.Unlock()
	a.ledger.KeepLocations(configured) // an offline drive's files still count; a removed one's do not
	for _, l := range locs {
		m, err := metaUsage(l.path)
		if err != nil {
			a.log.Warn("could not measure the storage folder", "path", l.path, "err", err)
			continue
		}
		a.ledger.SetMeta(l.id, m.n, int64(m.journal))
		a.ledger.SetRoom(l.id, a.growthRoom(l.id, m))
	}
}

// growthRoom is the room a location's shards keep free under the budget
// (ledger.GrowthRoom), from their files, their measured git-annex index
// and loose objects.
func (a *Agent) growthRoom(loc string, m metaMeasure) int64 {
	_, block := a.ledger.Limits()
	a.mu.Lock()
	defer a.mu.Unlock()
	var n int64
	for _, sh := range a.cfg.Shards {
		if sh.Location == loc {
			repo := filepath.Clean(sh.Path)
			n += ledger.GrowthRoom(sh.Files, m.annexIndex[repo], m.loose[repo], block)
		}
	}
	return n
}
