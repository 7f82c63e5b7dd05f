package manifest

import (
	"errors"
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"hash/maphash"
	"sort"
	"strings"
)

// lineError is a problem with one line of an input; the collector adds the
// file name.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func lineErrorf(line int, format string, args ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, args...)}
}

// emitError carries an error from the caller's emit through the readers
// unchanged.
type emitError struct{ err error }

func (e emitError) Error() string { return e.err.Error() }

// collector turns the rows a reader finds into entries: it validates them,
// rejects paths that collide, remembers what it skipped, and hands the good
// ones to emit.
type collector struct {
	file  string
	opts  Options
	emit  func(Entry) error
	rep   Report
	seeds [2]maphash.Seed   // independent: the key's hash and the check's
	files map[uint64]seen   // path -> line
	dirs  map[uint64]seen   // directory implied by some path -> that path's line
	extra map[string]int    // ignored field name -> first line it appeared on
	names map[string]string // collection names, one string each
}

func newCollector(file string, opts Options, emit func(Entry) error) *collector {
	if opts.ItemDepth <= 0 {
		opts.ItemDepth = 1
	}
	return &collector{file: file, opts: opts, emit: emit,
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		files: map[uint64]seen{}, dirs: map[uint64]seen{}, extra: map[string]int{}}
}

// row handles one data row that parse turned into e (or err). It returns a
// non-nil error only when the read must stop.
func (c *collector) row(line int, e Entry, err error) error {
	c.rep.Rows++
	if err != nil {
		return c.reject(line, err.Error())
	}
	// A CSV reader's fields share one string per row: copies keep only
	// what is needed alive, not every row's digests.
	e.Path, e.URL, e.Line = strings.Clone(e.Path), strings.Clone(e.URL), line
	e.Collection = c.intern(e.Collection)
	if err := c.checkCollision(e); err != nil {
		return c.reject(line, err.Error())
	}
	if e.Item == "" {
		e.Item = ItemOf(e.Path, c.opts.ItemDepth)
	}
	c.rep.Accepted++
	if err := c.emit(e); err != nil {
		return emitError{err}
	}
	return nil
}

// reject records a bad row; in strict mode it stops the read.
func (c *collector) reject(line int, msg string) error {
	if c.opts.Strict {
		return &lineError{line: line, msg: msg + " (--strict stops at the first bad row)"}
	}
	c.rep.Rejected = append(c.rep.Rejected, Rejected{Line: line, Error: msg})
	return nil
}

// ignore notes a column or field the format does not use; finish warns
// about all of them once.
func (c *collector) ignore(name string, line int) {
	if _, seen := c.extra[name]; !seen {
		c.extra[name] = line
	}
}

func (c *collector) warnf(format string, args ...any) {
	c.rep.Warnings = append(c.rep.Warnings, fmt.Sprintf("%s: ", c.file)+fmt.Sprintf(format, args...))
}

// finish turns the reader's error into the read's, and adds the warnings.
func (c *collector) finish(err error) (*Report, error) {
	if len(c.extra) > 0 {
		names := make([]string, 0, len(c.extra))
		for n := range c.extra {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool {
			if c.extra[names[i]] != c.extra[names[j]] {
				return c.extra[names[i]] < c.extra[names[j]]
			}
			return names[i] < names[j]
		})
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = fmt.Sprintf("%q", n)
		}
		c.warnf("ignored %s not in the format: %s", words.Count(int64(len(names)), "column", "columns"), strings.Join(quoted, ", "))
	}
	var le *lineError
	var ee emitError
	switch {
	case errors.As(err, &ee):
		return &c.rep, ee.err
	case errors.As(err, &le):
		return &c.rep, fmt.Errorf("%s %s", c.file, le)
	case err != nil:
		return &c.rep, fmt.Errorf("read %s: %w", c.file, err)
	}
	if c.rep.Rows > 0 && c.rep.Accepted == 0 {
		first := c.rep.Rejected[0]
		return &c.rep, fmt.Errorf("%s line %d: %s (every one of the %d rows was rejected)", c.file, first.Line, first.Error, c.rep.Rows)
	}
	return &c.rep, nil
}

// The collision maps hold no paths, so a collection's paths need not stay
// in memory: a path is the 64-bit seeded hash that keys the map and 32
// other bits of it in the value (16 bytes a path). Two different paths
// pass for one with a probability of about n²/2⁹⁷, 10⁻¹⁴ for 20 million
// paths.
type seen struct {
	line  int32
	check uint32
}

func (c *collector) id(p string) (uint64, uint32) {
	return maphash.String(c.seeds[0], p), uint32(maphash.String(c.seeds[1], p))
}

// lookup is the line of p in m, if it is there.
func (c *collector) lookup(m map[uint64]seen, p string) (int32, bool) {
	h, check := c.id(p)
	s, ok := m[h]
	return s.line, ok && s.check == check
}

func (c *collector) record(m map[uint64]seen, p string, line int) {
	h, check := c.id(p)
	m[h] = seen{line: int32(line), check: check}
}

// checkCollision rejects duplicate paths and a path that is both a file and
// a directory ("a" and "a/b"): git can hold only one of them, and
// fast-import would silently drop the other.
func (c *collector) checkCollision(e Entry) error {
	if prev, ok := c.lookup(c.files, e.Path); ok {
		return fmt.Errorf("path %q is already on line %d", e.Path, prev)
	}
	if prev, ok := c.lookup(c.dirs, e.Path); ok {
		return fmt.Errorf("path %q is a directory of the path on line %d", e.Path, prev)
	}
	for dir := parentOf(e.Path); dir != ""; dir = parentOf(dir) {
		if prev, ok := c.lookup(c.files, dir); ok {
			return fmt.Errorf("path %q is inside %q, which is a file on line %d", e.Path, dir, prev)
		}
	}
	for dir := parentOf(e.Path); dir != ""; dir = parentOf(dir) {
		if _, ok := c.lookup(c.dirs, dir); ok {
			break // its parents are recorded already
		}
		c.record(c.dirs, dir, e.Line)
	}
	c.record(c.files, e.Path, e.Line)
	return nil
}

func parentOf(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}
