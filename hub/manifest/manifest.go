// Package manifest reads the list of files a collection is made of: a CSV
// or JSON-lines manifest published by the archive, or a walk of a local
// directory. Every entry it returns has been validated, so the shard
// builder can trust it.
package manifest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Entry is one file of the collection.
type Entry struct {
	Path   string // slash-separated, cleaned, relative to the collection root
	Size   int64
	SHA256 string // lowercase hex, or "" when unknown
	MD5    string // lowercase hex, or "" when unknown
	URL    string // where the archive serves the content (http or https)
	Line   int    // manifest line the entry came from; 0 for FromDir
}

// Column (and JSON field) names; a contract with the archive's tooling.
const (
	colPath   = "path"
	colSize   = "size"
	colSHA256 = "sha256"
	colMD5    = "md5"
	colURL    = "url"
)

var columns = []string{colPath, colSize, colSHA256, colMD5, colURL}

// rowFunc receives one data row as column name -> trimmed value.
type rowFunc func(line int, fields map[string]string) error

// lineError is a problem with one line of a manifest; Load adds the file.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func lineErrorf(line int, format string, args ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, args...)}
}

// Load reads a CSV or JSON-lines manifest. The format comes from the
// extension (.csv; .jsonl, .ndjson, .json), else from the first non-space
// byte ('{' means JSON lines). The first bad row fails the whole load with
// an error naming the file and line.
func Load(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open manifest: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256*1024)

	read := readCSV
	switch detect(path, r) {
	case '{':
		read = readJSONLines
	case '[':
		return nil, fmt.Errorf("%s: a JSON array is not supported: write one JSON object per line (JSON lines)", path)
	}
	var c collector
	if err := read(r, c.add); err != nil {
		if le, ok := err.(*lineError); ok {
			return nil, fmt.Errorf("%s %s", path, le)
		}
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return c.entries, nil
}

// detect returns '{' for JSON lines, '[' for a JSON array, 0 for CSV.
func detect(path string, r *bufio.Reader) byte {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return 0
	case ".jsonl", ".ndjson", ".json":
		if first := firstByte(r); first == '[' {
			return '['
		}
		return '{'
	}
	if first := firstByte(r); first == '{' || first == '[' {
		return first
	}
	return 0
}

// firstByte peeks at the first byte that is not white space or a BOM.
func firstByte(r *bufio.Reader) byte {
	head, _ := r.Peek(4096)
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 {
		return 0
	}
	return head[0]
}

// collector validates rows and rejects paths that collide.
type collector struct {
	entries []Entry
	files   map[string]int // path -> line
	dirs    map[string]int // directory implied by some path -> that path's line
}

func (c *collector) add(line int, fields map[string]string) error {
	e, err := parseEntry(fields)
	if err != nil {
		return lineErrorf(line, "%s", err)
	}
	e.Line = line
	if err := c.checkCollision(e); err != nil {
		return err
	}
	c.entries = append(c.entries, e)
	return nil
}

// checkCollision rejects duplicate paths and a path that is both a file and
// a directory ("a" and "a/b"): git can hold only one of them, and
// fast-import would silently drop the other.
func (c *collector) checkCollision(e Entry) error {
	if c.files == nil {
		c.files, c.dirs = map[string]int{}, map[string]int{}
	}
	if prev, ok := c.files[e.Path]; ok {
		return lineErrorf(e.Line, "path %q is already on line %d", e.Path, prev)
	}
	if prev, ok := c.dirs[e.Path]; ok {
		return lineErrorf(e.Line, "path %q is a directory of the path on line %d", e.Path, prev)
	}
	for dir := parentOf(e.Path); dir != ""; dir = parentOf(dir) {
		if prev, ok := c.files[dir]; ok {
			return lineErrorf(e.Line, "path %q is inside %q, which is a file on line %d", e.Path, dir, prev)
		}
		if _, ok := c.dirs[dir]; ok {
			break // its parents are recorded already
		}
		c.dirs[dir] = e.Line
	}
	c.files[e.Path] = e.Line
	return nil
}

func parentOf(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}
