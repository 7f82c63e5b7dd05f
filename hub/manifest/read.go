package manifest

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// schema is what a table's header must name and how a row becomes an
// entry.
type schema struct {
	what  string                                   // "manifest", "MD5 table"
	hint  string                                   // what the header must say
	known []string                                 // columns read; any other is ignored with a warning
	check func(has func(column string) bool) error // the header's contract
	parse func(fields map[string]string) (Entry, error)
}

// readTable reads a CSV (or, with comma '\t', TSV) table whose header row
// names the columns, in any order and letter case.
func readTable(r *bufio.Reader, comma rune, s schema, c *collector) error {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.LazyQuotes = comma == '\t' // TSV exports rarely quote
	cr.FieldsPerRecord = -1       // a short row just leaves its last columns empty
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return lineErrorf(1, "the %s is empty: %s", s.what, s.hint)
	}
	if err != nil {
		return csvError(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, seen := cols[name]; seen {
			c.warnf("column %q appears twice: the first one is used", name)
			continue
		}
		cols[name] = i
		if !slices.Contains(s.known, name) {
			c.ignore(name, 1)
		}
	}
	if err := s.check(func(col string) bool { _, ok := cols[col]; return ok }); err != nil {
		return lineErrorf(1, "%s", err)
	}
	fields := make(map[string]string, len(s.known))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader resumes after the bad record: skip it like any
			// other bad row.
			c.rep.Rows++
			if err := c.reject(pe.StartLine, "not valid CSV: "+pe.Err.Error()); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0)
		clear(fields)
		for _, name := range s.known {
			if i, ok := cols[name]; ok && i < len(rec) {
				fields[name] = cell(name, rec[i])
			}
		}
		e, perr := s.parse(fields)
		if err := c.row(line, e, perr); err != nil {
			return err
		}
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return lineErrorf(pe.Line, "not valid CSV: %v", pe.Err)
	}
	return err
}

// readJSONLines reads one JSON object per line; blank lines are skipped.
func readJSONLines(r *bufio.Reader, c *collector) error {
	fields := make(map[string]string, len(columns))
	for line := 1; ; line++ {
		text, err := r.ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		if s := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff")); s != "" {
			clear(fields)
			var e Entry
			perr := jsonFields(s, fields, func(name string) { c.ignore(name, line) })
			if perr == nil {
				e, perr = parseEntry(fields)
			}
			if err := c.row(line, e, perr); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// jsonFields fills fields from an object; numbers keep their JSON spelling
// so "size": 12 and "size": "12" read the same. Unknown fields go to
// ignore.
func jsonFields(s string, fields map[string]string, ignore func(string)) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		return errors.New("not a JSON object: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	for name, raw := range obj {
		if !slices.Contains(columns, name) {
			ignore(name)
			continue
		}
		if string(raw) == "null" {
			continue
		}
		var str string
		switch {
		case json.Unmarshal(raw, &str) == nil:
			fields[name] = cell(name, str)
		case strings.ContainsAny(string(raw[:1]), "-0123456789"):
			fields[name] = string(raw)
		default:
			return fmt.Errorf("%s must be a string or a number", name)
		}
	}
	return nil
}

// cell trims the padding people put around values, but keeps a path exactly
// as written: " a" and "a" are different file names.
func cell(name, v string) string {
	if name == colPath {
		return v
	}
	return strings.TrimSpace(v)
}
