package manifest

import (
	"reflect"
	"strings"
	"testing"
)

// gather runs a scan and returns what it emitted.
func gather(scan func(emit func(Entry) error) (*Report, error)) ([]Entry, *Report, error) {
	var got []Entry
	rep, err := scan(func(e Entry) error { got = append(got, e); return nil })
	return got, rep, err
}

func scanAll(t *testing.T, path string, opts Options) ([]Entry, *Report, error) {
	return gather(func(emit func(Entry) error) (*Report, error) { return Scan(path, opts, emit) })
}

// TestScanSkipsAndReportsBadRows: bad rows are skipped with their line
// numbers, --strict stops at the first, and a file of only bad rows fails.
func TestScanSkipsAndReportsBadRows(t *testing.T) {
	p := write(t, "m.csv", "path,size,sha256,md5,url\n"+
		"a/1,1,"+shaA+",,http://h/1\n"+
		"a/2,,"+shaA+",,http://h/2\n"+
		"a/1,1,"+shaA+",,http://h/1bis\n"+
		"b,x\"y,"+shaA+",,http://h/b\n"+
		"c,3,,,http://h/c\n"+
		"d,4,,"+md5B+",http://h/d\n")
	got, rep, err := scanAll(t, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range got {
		paths = append(paths, e.Path)
	}
	if !reflect.DeepEqual(paths, []string{"a/1", "d"}) || rep.Rows != 6 || rep.Accepted != 2 {
		t.Errorf("accepted %v (rows %d, accepted %d)", paths, rep.Rows, rep.Accepted)
	}
	want := []Rejected{
		{3, "size is missing"},
		{4, `path "a/1" is already on line 2`},
		{5, `not valid CSV: bare " in non-quoted-field`},
		{6, "needs a sha256 or an md5 to identify the content"},
	}
	if !reflect.DeepEqual(rep.Rejected, want) {
		t.Errorf("rejected\n%+v\nwant\n%+v", rep.Rejected, want)
	}

	if _, _, err := scanAll(t, p, Options{Strict: true}); err == nil || !strings.Contains(err.Error(), "m.csv line 3: size is missing (--strict") {
		t.Errorf("strict: %v", err)
	}
	allBad := write(t, "bad.csv", "path,size,sha256,url\nx,,"+shaA+",http://h/x\ny,1,zz,http://h/y\n")
	_, rep, err = scanAll(t, allBad, Options{})
	if err == nil || !strings.Contains(err.Error(), "bad.csv line 2: size is missing (every one of the 2 rows was rejected)") || len(rep.Rejected) != 2 {
		t.Errorf("every row bad: %v %+v", err, rep)
	}
}

// TestExtraColumnsWarnOnce: unknown columns and fields are ignored with
// one warning that names them.
func TestExtraColumnsWarnOnce(t *testing.T) {
	csvFile := write(t, "m.csv", "path,Title,size,sha256,url,notes\nx,T,1,"+shaA+",http://h/x,n\ny,T,1,"+shaA+",http://h/y,n\n")
	_, rep, err := scanAll(t, csvFile, Options{})
	if err != nil || len(rep.Warnings) != 1 || !strings.HasSuffix(rep.Warnings[0], `m.csv: ignored 2 columns not in the format: "notes", "title"`) {
		t.Errorf("CSV warnings %q %v", rep.Warnings, err)
	}
	jsonl := write(t, "m.jsonl", `{"path":"x","size":1,"md5":"`+md5B+`","url":"http://h/x","title":"a"}`+"\n"+
		`{"path":"y","size":1,"md5":"`+md5B+`","url":"http://h/y","title":"b","year":1999}`+"\n")
	_, rep, err = scanAll(t, jsonl, Options{})
	if err != nil || len(rep.Warnings) != 1 || !strings.HasSuffix(rep.Warnings[0], `m.jsonl: ignored 2 columns not in the format: "title", "year"`) {
		t.Errorf("JSONL warnings %q %v", rep.Warnings, err)
	}
	clean := write(t, "c.csv", "path,size,md5,url\nx,1,"+md5B+",http://h/x\n")
	if _, rep, _ := scanAll(t, clean, Options{}); len(rep.Warnings) != 0 {
		t.Errorf("warnings without extra columns: %q", rep.Warnings)
	}
}

func TestItemOf(t *testing.T) {
	for _, tc := range []struct {
		path  string
		depth int
		want  string
	}{
		{"comics/0001/a.cbz", 1, "comics"},
		{"readme.txt", 1, "readme.txt"},
		{"comics/0001/a.cbz", 2, "comics/0001"},
		{"comics/a.cbz", 2, "comics/a.cbz"},
		{"a/b/c/d", 0, "a"},
	} {
		if got := ItemOf(tc.path, tc.depth); got != tc.want {
			t.Errorf("ItemOf(%q, %d) = %q, want %q", tc.path, tc.depth, got, tc.want)
		}
	}
	got, _, _ := scanAll(t, write(t, "m.csv", "path,size,md5,url\nc/0001/a.cbz,1,"+md5B+",http://h/x\n"), Options{ItemDepth: 2})
	if len(got) != 1 || got[0].Item != "c/0001" {
		t.Errorf("item with depth 2: %+v", got)
	}
}
