// Package manifest reads the list of files a collection is made of: a CSV
// or JSON-lines manifest published by the archive, an MD5 table of a
// thousand-dir collection, or a walk of a local directory. Every entry it
// hands on has been validated, so the shard builder can trust it; bad rows
// are skipped and reported with their line numbers.
package manifest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Entry is one file of the collection. The strings of an entry from Scan
// share no memory with the file's other rows.
type Entry struct {
	Path   string // slash-separated, cleaned, relative to the collection root
	Size   int64
	SHA256 string // lowercase hex, or "" when unknown
	MD5    string // lowercase hex, or "" when unknown
	URL    string // where the archive serves the content (http or https)
	Line   int    // manifest line the entry came from; 0 for FromDir
	// Item is the unit the shard builder never splits: a prefix of Path
	// (see ItemOf). "" means the top-level component of Path.
	Item string
	// Collection is the collection the file belongs to (the manifest's
	// optional "collection" column); "" means the build's default.
	Collection string
}

// Column (and JSON field) names; a contract with the archive's tooling.
const (
	colPath   = "path"
	colSize   = "size"
	colSHA256 = "sha256"
	colMD5    = "md5"
	colURL    = "url"
	// colCollection is optional: the collection a row belongs to.
	colCollection = "collection"
)

var columns = []string{colPath, colSize, colSHA256, colMD5, colURL, colCollection}

// Options control Scan.
type Options struct {
	// Strict fails the read on the first bad row instead of skipping it.
	Strict bool
	// ItemDepth is how many leading path components name an entry's item;
	// 1 (the top-level directory) when 0.
	ItemDepth int
}

// Rejected is a row that was skipped.
type Rejected struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// Report says what a read accepted, skipped and ignored.
type Report struct {
	Rows     int        // data rows seen (blank lines not counted)
	Accepted int        // rows handed to emit
	Rejected []Rejected // in line order
	Warnings []string   // each said once, e.g. ignored columns
}

// Load reads a whole CSV or JSON-lines manifest strictly: the first bad
// row fails it. Large collections should use Scan, which streams.
func Load(path string) ([]Entry, error) {
	var entries []Entry
	_, err := Scan(path, Options{Strict: true}, func(e Entry) error {
		entries = append(entries, e)
		return nil
	})
	return entries, err
}

// Scan reads a CSV or JSON-lines manifest and calls emit for every good
// row, in file order. The format comes from the extension (.csv; .jsonl,
// .ndjson, .json), else from the first non-space byte ('{' means JSON
// lines). Bad rows are reported and skipped (Strict fails on them); when
// every row is bad the read fails, naming the first. An error from emit
// stops the read and is returned as it is.
func Scan(path string, opts Options, emit func(Entry) error) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open manifest: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256*1024)

	c := newCollector(path, opts, emit)
	switch detect(path, r) {
	case '{':
		err = readJSONLines(r, c)
	case '[':
		return nil, fmt.Errorf("%s: a JSON array is not supported: write one JSON object per line (JSON lines)", path)
	default:
		err = readTable(r, ',', manifestSchema, c)
	}
	return c.finish(err)
}

// manifestSchema is the CSV manifest's header contract.
var manifestSchema = schema{
	what:  "manifest",
	hint:  headerHint,
	known: columns,
	check: func(has func(string) bool) error {
		for _, need := range []string{colPath, colSize, colURL} {
			if !has(need) {
				return fmt.Errorf("the header has no %q column: %s", need, headerHint)
			}
		}
		if !has(colSHA256) && !has(colMD5) {
			return fmt.Errorf("the header has neither a sha256 nor an md5 column: %s", headerHint)
		}
		return nil
	},
	parse: parseEntry,
}

const headerHint = "the first line must name the columns: path,size,sha256,md5,url"

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
