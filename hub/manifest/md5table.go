package manifest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Columns of an MD5 table (a shadow library's export of its collection).
const (
	colID        = "id"
	colExtension = "extension"
)

// DefaultPathPrefix is the directory a thousand-dir collection lives under.
const DefaultPathPrefix = "repository"

// MD5Table describes a thousand-dir collection: file id N lives at
// PathPrefix/D/N.ext, where D is floor(N/1000)*1000, and the archive serves
// it at URLTemplate.
type MD5Table struct {
	// URLTemplate makes a file's URL; its placeholders are {id}, {md5},
	// {dir} (D above), {ext} (without the dot) and {size}.
	URLTemplate string
	// PathPrefix is the directory the thousand-dirs sit in within a shard:
	// DefaultPathPrefix when nil; "" puts them at the top.
	PathPrefix *string
}

// ScanMD5Table reads an MD5 table with a header row: the columns id, md5,
// size and extension (sha256 too, when the archive knows it), comma- or
// tab-separated (a .tsv name or a tab in the header means tabs). Every
// good row is handed to emit as an entry whose item is its thousand-dir
// (repository/123000). opts.ItemDepth is not used.
func ScanMD5Table(path string, table MD5Table, opts Options, emit func(Entry) error) (*Report, error) {
	tmpl, err := parseTemplate(table.URLTemplate)
	if err != nil {
		return nil, err
	}
	prefix := DefaultPathPrefix
	if table.PathPrefix != nil {
		prefix = strings.Trim(*table.PathPrefix, "/")
	}
	if prefix != "" {
		if prefix, err = cleanPath(prefix); err != nil {
			return nil, fmt.Errorf("path prefix: %w", err)
		}
		prefix += "/"
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open MD5 table: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256*1024)
	comma := ','
	head, _ := r.Peek(4096)
	if line, _, _ := strings.Cut(string(head), "\n"); strings.ToLower(filepath.Ext(path)) == ".tsv" || strings.Contains(line, "\t") {
		comma = '\t'
	}
	c := newCollector(path, opts, emit)
	return c.finish(readTable(r, comma, md5TableSchema(tmpl, prefix), c))
}

func md5TableSchema(tmpl urlTemplate, prefix string) schema {
	values := map[string]string{}
	const hint = "the first line must name the columns: id,md5,size,extension"
	return schema{
		what:  "MD5 table",
		hint:  hint,
		known: []string{colID, colMD5, colSize, colExtension, colSHA256},
		check: func(has func(string) bool) error {
			for _, need := range []string{colID, colMD5, colSize, colExtension} {
				if !has(need) {
					return fmt.Errorf("the header has no %q column: %s", need, hint)
				}
			}
			return nil
		},
		parse: func(f map[string]string) (Entry, error) {
			return parseMD5Row(f, tmpl, prefix, values)
		},
	}
}

// parseMD5Row turns one row into an entry; values is scratch space for the
// template.
func parseMD5Row(f map[string]string, tmpl urlTemplate, prefix string, values map[string]string) (Entry, error) {
	var e Entry
	id, err := strconv.ParseUint(f[colID], 10, 63)
	if err != nil {
		if f[colID] == "" {
			return e, errors.New("id is missing")
		}
		return e, fmt.Errorf("id %q is not a non-negative integer", f[colID])
	}
	if e.Size, err = parseSize(f[colSize]); err != nil {
		return e, err
	}
	if e.MD5, err = parseHex(colMD5, f[colMD5], 32); err != nil {
		return e, err
	}
	if e.MD5 == "" {
		return e, errors.New("md5 is missing")
	}
	if e.SHA256, err = parseHex(colSHA256, f[colSHA256], 64); err != nil {
		return e, err
	}
	ext := strings.TrimPrefix(f[colExtension], ".")
	if !validExt(ext) {
		return e, fmt.Errorf("extension %q has characters other than letters, digits, '.', '_' and '-'", ext)
	}
	ids := strconv.FormatUint(id, 10)
	dir := strconv.FormatUint(id/1000*1000, 10)
	e.Item = prefix + dir
	e.Path = e.Item + "/" + ids
	if ext != "" {
		e.Path += "." + ext
	}
	values["id"], values["md5"], values["dir"], values["ext"], values["size"] = ids, e.MD5, dir, ext, strconv.FormatInt(e.Size, 10)
	e.URL = tmpl.expand(values)
	return e, nil
}

// validExt accepts what can sit in a file name and a URL unescaped.
func validExt(s string) bool {
	if strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
