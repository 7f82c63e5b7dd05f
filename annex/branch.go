package annex

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadTree calls fn for every blob under rev whose path want accepts. It
// lists the tree once and reads all blobs through one `git cat-file
// --batch`: about a second for 100k location logs, where walking the tree
// with go-git takes several (see shared/notes/toolchain.md).
func ReadTree(ctx context.Context, g Git, rev string, want func(path string) bool, fn func(path string, data []byte) error) error {
	entries, err := LsTree(ctx, g, rev, want)
	if err != nil {
		return err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.SHA
	}
	return Cat(ctx, g, names, func(i int, data []byte, found bool) error {
		if !found {
			return fmt.Errorf("read %s from %s: object %s is missing", entries[i].Path, rev, entries[i].SHA)
		}
		return fn(entries[i].Path, data)
	})
}

// IsLocationLog reports whether a git-annex branch path is a key's
// location log.
func IsLocationLog(p string) bool {
	_, ok := KeyOfLogPath(p, ".log")
	return ok
}

// Locations is what the git-annex branch says about where keys are.
type Locations struct {
	Logs  map[Key][]LogLine // compacted location log per key
	Trust TrustLog
}

// NewLocations is an empty view.
func NewLocations() *Locations {
	return &Locations{Logs: map[Key][]LogLine{}, Trust: TrustLog{}}
}

// ReadLocations reads and union-merges the location logs and trust.log of
// every ref given (refs that do not exist are skipped), the way git-annex
// merges branches: per UUID, the newest line wins.
func ReadLocations(ctx context.Context, g Git, refs ...string) (*Locations, error) {
	loc := NewLocations()
	for _, ref := range refs {
		if !g.RefExists(ctx, ref) {
			continue
		}
		_, err := ReadBranch(ctx, g, ref, BranchVisitor{
			Log: func(k Key, lines []LogLine, _ bool) error {
				loc.Logs[k] = Compact(append(loc.Logs[k], lines...))
				return nil
			},
			Trust: loc.Trust.Merge,
		})
		if err != nil {
			return nil, err
		}
	}
	return loc, nil
}

// Copies is the number of counting copies of k other than the archive's
// own web copy and those of the UUIDs in except: the one counting rule
// (present, and not dead or untrusted; see TrustLog.Counts). A nil
// Locations has none.
func (l *Locations) Copies(k Key, except ...string) int {
	if l == nil {
		return 0
	}
	return CopiesIn(l.Logs[k], l.Trust, except...)
}

// CopiesIn is Copies of one key's location log (lines), for a caller that
// already has it (the planner, going over every key).
func CopiesIn(lines []LogLine, trust TrustLog, except ...string) int {
	n := 0
	for _, line := range lines {
		if line.Status == StatusPresent && line.Value != WebUUID && trust.Counts(line.Value) && !slices.Contains(except, line.Value) {
			n++
		}
	}
	return n
}

// DonorCopies is the number of counting copies of k other than the
// archive's own web copy.
func (l *Locations) DonorCopies(k Key) int { return l.Copies(k) }

// Counts reports whether uuid's copies count toward the number of copies.
func (l *Locations) Counts(uuid string) bool { return l.Trust.Counts(uuid) }

// Has reports whether uuid's newest line for k says present.
func (l *Locations) Has(k Key, uuid string) bool {
	for _, line := range l.Logs[k] {
		if line.Value == uuid {
			return line.Status == StatusPresent
		}
	}
	return false
}

// ApplyJournal folds in git-annex's uncommitted journal from the repository
// whose git directory is gitDir. Each journal file holds the whole new
// content of one branch file; "/" in its path is written "_", "_" as "__".
func (l *Locations) ApplyJournal(gitDir string) error {
	dir := filepath.Join(gitDir, "annex", "journal")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read git-annex journal: %w", err)
	}
	for _, e := range entries {
		p := unescapeJournal(e.Name())
		k, ok := KeyOfLogPath(p, ".log")
		if !ok || e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // committed meanwhile
			}
			return fmt.Errorf("read git-annex journal: %w", err)
		}
		l.Logs[k] = Compact(append(l.Logs[k], ParseLog(data)...))
	}
	return nil
}

func unescapeJournal(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] == '_' {
			if i+1 < len(name) && name[i+1] == '_' {
				b.WriteByte('_')
				i++
				continue
			}
			b.WriteByte('/')
			continue
		}
		b.WriteByte(name[i])
	}
	return b.String()
}
