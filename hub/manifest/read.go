package manifest

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

const headerHint = "the first line must name the columns: path,size,sha256,md5,url"

// readCSV reads a CSV manifest whose header row names the columns; unknown
// columns are ignored.
func readCSV(r *bufio.Reader, emit rowFunc) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // a short row just leaves its last columns empty
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return lineErrorf(1, "the manifest is empty: %s", headerHint)
	}
	if err != nil {
		return csvError(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, seen := cols[name]; !seen {
			cols[name] = i
		}
	}
	for _, need := range []string{colPath, colSize, colURL} {
		if _, ok := cols[need]; !ok {
			return lineErrorf(1, "the header has no %q column: %s", need, headerHint)
		}
	}
	_, hasSHA := cols[colSHA256]
	_, hasMD5 := cols[colMD5]
	if !hasSHA && !hasMD5 {
		return lineErrorf(1, "the header has neither a sha256 nor an md5 column: %s", headerHint)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(err)
		}
		line, _ := cr.FieldPos(0)
		fields := make(map[string]string, len(columns))
		for _, name := range columns {
			if i, ok := cols[name]; ok && i < len(rec) {
				fields[name] = cell(name, rec[i])
			}
		}
		if err := emit(line, fields); err != nil {
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
func readJSONLines(r *bufio.Reader, emit rowFunc) error {
	for line := 1; ; line++ {
		text, err := r.ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		if s := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff")); s != "" {
			fields, ferr := jsonFields(s)
			if ferr != nil {
				return lineErrorf(line, "%s", ferr)
			}
			if err := emit(line, fields); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// jsonFields turns an object into column -> value; numbers keep their JSON
// spelling so "size": 12 and "size": "12" read the same.
func jsonFields(s string) (map[string]string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		return nil, errors.New("not a JSON object: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	fields := make(map[string]string, len(columns))
	for _, name := range columns {
		raw, ok := obj[name]
		if !ok || string(raw) == "null" {
			continue
		}
		var str string
		switch {
		case json.Unmarshal(raw, &str) == nil:
			fields[name] = cell(name, str)
		case strings.ContainsAny(string(raw[:1]), "-0123456789"):
			fields[name] = string(raw)
		default:
			return nil, errors.New(name + " must be a string or a number")
		}
	}
	return fields, nil
}

// cell trims the padding people put around values, but keeps a path exactly
// as written: " a" and "a" are different file names.
func cell(name, v string) string {
	if name == colPath {
		return v
	}
	return strings.TrimSpace(v)
}
