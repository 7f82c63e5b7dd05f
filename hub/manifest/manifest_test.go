package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var (
	shaA = strings.Repeat("a", 64)
	md5B = strings.Repeat("b", 32)
)

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCSV(t *testing.T) {
	p := write(t, "m.csv", "\ufeffURL,path,size,sha256,md5,extra\n"+
		"http://a/x,dir//x.bin,12,"+strings.ToUpper(shaA)+",,ignored\n"+
		"\n"+
		"https://a/%22q,\"we \"\"quote\"\"\",0,,"+md5B+",\n")
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Path: "dir/x.bin", Size: 12, SHA256: shaA, URL: "http://a/x", Line: 2, Item: "dir"},
		{Path: `we "quote"`, Size: 0, MD5: md5B, URL: "https://a/%22q", Line: 4, Item: `we "quote"`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestLoadJSONLines(t *testing.T) {
	body := `{"path":"a b/ü.txt","size":5,"sha256":"` + shaA + `","url":"http://h/a%20b/%C3%BC.txt","other":[1]}` + "\n\n" +
		`{"path":"c","size":"7","md5":"` + md5B + `","sha256":null,"url":"http://h/c"}`
	for _, name := range []string{"m.jsonl", "m.ndjson", "m.json", "no-extension"} {
		got, err := Load(write(t, name, body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []Entry{
			{Path: "a b/ü.txt", Size: 5, SHA256: shaA, URL: "http://h/a%20b/%C3%BC.txt", Line: 1, Item: "a b"},
			{Path: "c", Size: 7, MD5: md5B, URL: "http://h/c", Line: 3, Item: "c"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestLoadBadRowsNameTheirLine(t *testing.T) {
	const header = "path,size,sha256,md5,url\n"
	good := "ok," + "1," + shaA + ",,http://h/ok\n"
	for _, tc := range []struct{ row, want string }{
		{",1," + shaA + ",,http://h/x", "line 3: path is missing"},
		{"x,," + shaA + ",,http://h/x", "line 3: size is missing"},
		{"x,-1," + shaA + ",,http://h/x", `line 3: size "-1" is not a non-negative integer`},
		{"x,1.5," + shaA + ",,http://h/x", `line 3: size "1.5" is not a non-negative integer`},
		{"x,1,xyz,,http://h/x", `line 3: sha256 "xyz" is not 64 hex digits`},
		{"x,1,," + strings.Repeat("g", 32) + ",http://h/x", `is not 32 hex digits`},
		{"x,1,,,http://h/x", "line 3: needs a sha256 or an md5"},
		{"x,1," + shaA + ",,", "line 3: url is missing"},
		{"x,1," + shaA + ",,ftp://h/x", `line 3: url "ftp://h/x" is not an http or https URL`},
		{"/x,1," + shaA + ",,http://h/x", "must be relative"},
		{"a/../x,1," + shaA + ",,http://h/x", "must not contain .."},
		{"a/.git/x,1," + shaA + ",,http://h/x", "must not contain a .git component"},
		{".GIT,1," + shaA + ",,http://h/x", "must not contain a .git component"},
		{"./ok/,1," + shaA + ",,http://h/x", `line 3: path "ok" is already on line 2`},
		{"ok/inner,1," + shaA + ",,http://h/x", `line 3: path "ok/inner" is inside "ok", which is a file on line 2`},
		{"x,\"1", "line 3: not valid CSV"},
	} {
		p := write(t, "manifest.csv", header+good+tc.row+"\n")
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "manifest.csv line") {
			t.Errorf("row %q: error %v, want it to contain %q", tc.row, err, tc.want)
		}
	}
}

func TestLoadBadJSONAndHeaders(t *testing.T) {
	for name, tc := range map[string]struct{ content, want string }{
		"a.jsonl":    {`{"path":"d/x","size":1,"md5":"` + md5B + `","url":"http://h"}` + "\n" + `{"path":"d","size":1,"md5":"` + md5B + `","url":"http://h"}`, `line 2: path "d" is a directory of the path on line 1`},
		"b.jsonl":    {"{\"path\": \"x\"\n", "line 1: not a JSON object"},
		"c.jsonl":    {`{"path":"x","size":true}`, "line 1: size must be a string or a number"},
		"d.json":     {`[{"path":"x"}]`, "a JSON array is not supported"},
		"e.csv":      {"x,1," + shaA + ",,http://h/x\n", `line 1: the header has no "path" column`},
		"f.csv":      {"path,size,url\n", "line 1: the header has neither a sha256 nor an md5 column"},
		"g.csv":      {"", "line 1: the manifest is empty"},
		"h.manifest": {"  {\"path\":\"x\",\"size\":1,\"url\":\"http://h\"}", "line 1: needs a sha256 or an md5"},
	} {
		_, err := Load(write(t, name, tc.content))
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
}

func TestFromDir(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.txt":             "hello\n",
		"a/b c/\"q\"#?.bin": "",
		"ü/x%y":             "z",
		".hidden-file":      "kept",
		".git/config":       "skipped",
		".cache/x":          "skipped",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("a.txt", filepath.Join(dir, "link"))
	var seen int
	got, err := FromDirProgress(dir, "http://127.0.0.1:1/base/", func(Entry) { seen++ })
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, e := range got {
		urls = append(urls, e.Path+" "+e.URL)
	}
	want := []string{
		".hidden-file http://127.0.0.1:1/base/.hidden-file",
		`a.txt http://127.0.0.1:1/base/a.txt`,
		`a/b c/"q"#?.bin http://127.0.0.1:1/base/a/b%20c/%22q%22%23%3F.bin`,
		`ü/x%y http://127.0.0.1:1/base/%C3%BC/x%25y`,
	}
	if !reflect.DeepEqual(urls, want) || seen != len(want) {
		t.Errorf("got (%d progress calls)\n%s\nwant\n%s", seen, strings.Join(urls, "\n"), strings.Join(want, "\n"))
	}
	hello := got[1]
	if hello.Size != 6 || hello.SHA256 != "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" || hello.MD5 != "b1946ac92492d2347c6235b4d2611184" {
		t.Errorf("hashes wrong: %+v", hello)
	}
	if _, err := FromDir(dir, "file:///x"); err == nil {
		t.Error("non-http base URL accepted")
	}
}
