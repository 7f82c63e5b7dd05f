package cli

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// buildReport is `shardhub build --json`, as a client reads it.
type buildReport struct {
	Shards []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Paths  int    `json:"paths"`
	} `json:"shards"`
	Files       int   `json:"files"`
	Bytes       int64 `json:"bytes"`
	MD5OnlyKeys int   `json:"md5_only_keys"`
	Duplicates  []struct {
		Key        string   `json:"key"`
		Paths      []string `json:"paths"`
		BytesSaved int64    `json:"bytes_saved"`
	} `json:"duplicates"`
	Rejected []struct {
		Line  int    `json:"line"`
		Error string `json:"error"`
	} `json:"rejected"`
	Warnings []string `json:"warnings"`
}

var (
	sha1 = strings.Repeat("1", 64)
	md5x = strings.Repeat("a", 32)
	md5y = strings.Repeat("b", 32)
)

// mixedManifest has MD5-only rows, duplicate contents, bad rows and a
// column the format does not know.
const mixedManifestHeader = "path,size,sha256,md5,url,title\n"

func mixedManifest(t *testing.T) string {
	return writeFile(t, "mixed.csv", mixedManifestHeader+
		"a/1.bin,10,"+sha1+",,http://h/a/1.bin,x\n"+ // line 2
		"a/2.bin,10,,"+md5x+",http://h/a/2.bin,y\n"+ // 3: MD5 only
		"b/1.bin,10,"+sha1+",,http://h/b/1.bin,z\n"+ // 4: same content as a/1.bin
		"b/2.bin,,"+sha1+",,http://h/b/2.bin,\n"+ // 5: bad
		"c/1.bin,5,nothex,,http://h/c,\n"+ // 6: bad
		"a/1.bin,10,"+sha1+",,http://h/again,\n"+ // 7: bad, path taken
		"d/1.bin,7,,"+md5y+",http://h/d/1.bin,\n"+ // 8: MD5 only
		"d/2.bin,7,,"+md5y+",http://h/d/2.bin,\n") // 9: same content as d/1.bin
}

// TestBuildReportsMD5OnlyDuplicatesAndRejected: the report counts MD5-only
// keys, lists duplicate contents with the bytes saved, and lists the
// rejected rows by line, in JSON and in the readable summary.
func TestBuildReportsMD5OnlyDuplicatesAndRejected(t *testing.T) {
	m := mixedManifest(t)
	out, errOut, code := run(t, "build", m, "--out", filepath.Join(t.TempDir(), "d"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep buildReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Files != 3 || rep.Bytes != 27 || rep.MD5OnlyKeys != 2 || len(rep.Shards) != 1 || rep.Shards[0].Paths != 5 {
		t.Errorf("totals: %+v", rep)
	}
	type dup struct {
		key   string
		paths string
		saved int64
	}
	var dups []dup
	for _, d := range rep.Duplicates {
		dups = append(dups, dup{d.Key, strings.Join(d.Paths, " "), d.BytesSaved})
	}
	wantDups := []dup{
		{"SHA256E-s10--" + sha1 + ".bin", "a/1.bin b/1.bin", 10},
		{"MD5E-s7--" + md5y + ".bin", "d/1.bin d/2.bin", 7},
	}
	if !reflect.DeepEqual(dups, wantDups) {
		t.Errorf("duplicates %+v, want %+v", dups, wantDups)
	}
	var lines []int
	for _, r := range rep.Rejected {
		lines = append(lines, r.Line)
	}
	if !reflect.DeepEqual(lines, []int{5, 6, 7}) || rep.Rejected[0].Error != "size is missing" || !strings.Contains(rep.Rejected[2].Error, "already on line 2") {
		t.Errorf("rejected %+v", rep.Rejected)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], `ignored 1 column not in the format: "title"`) {
		t.Errorf("warnings %q", rep.Warnings)
	}

	out, _, code = run(t, "build", m, "--out", filepath.Join(t.TempDir(), "d"))
	for _, want := range []string{
		"Built 1 shard in", "3 files (5 paths), 27 B, 2 md5-only keys.",
		"MD5-only keys: 2 (a bad actor can forge", "add sha256",
		"Duplicates: 2 contents under several paths, each counted once (17 B saved):",
		"SHA256E-s10--" + sha1 + ".bin: a/1.bin, b/1.bin (10 B saved)",
		"Rejected rows: 3, skipped", "  line 5: size is missing\n", "  line 6: sha256 \"nothex\" is not 64 hex digits\n",
		`Warning: ` + m + `: ignored 1 column not in the format: "title"`,
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// TestBuildStrictAndAllRowsBad: --strict fails on the first bad row; a
// build whose every row is bad fails, and --json still lists them.
func TestBuildStrictAndAllRowsBad(t *testing.T) {
	_, errOut, code := run(t, "build", mixedManifest(t), "--out", filepath.Join(t.TempDir(), "d"), "--strict")
	if code == 0 || !strings.Contains(errOut, "mixed.csv line 5: size is missing (--strict") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("--strict: exit %d, %q", code, errOut)
	}
	data := filepath.Join(t.TempDir(), "d")
	bad := writeFile(t, "bad.csv", "path,size,md5,url\nx,,"+md5x+",http://h/x\ny,1,"+md5x+",ftp://h/y\n")
	out, errOut, code := run(t, "build", bad, "--out", data, "--json")
	var rep buildReport
	json.Unmarshal([]byte(out), &rep)
	if code == 0 || !strings.Contains(errOut, "every one of the 2 rows was rejected") || len(rep.Rejected) != 2 || rep.Rejected[1].Line != 3 {
		t.Errorf("all bad: exit %d, %q\n%s", code, errOut, out)
	}
	if _, err := shard.ReadCatalog(data); err == nil {
		t.Error("a build of only bad rows wrote a catalog")
	}
}

// TestBuildMaxShardSize: human sizes are accepted and split the shards.
func TestBuildMaxShardSize(t *testing.T) {
	m := writeFile(t, "m.csv", "path,size,md5,url\na/1,10,"+md5x+",http://h/a\nb/1,10,"+md5y+",http://h/b\nc/1,10,"+strings.Repeat("c", 32)+",http://h/c\n")
	out, errOut, code := run(t, "build", m, "--out", filepath.Join(t.TempDir(), "d"), "--max-shard-size", "20 B", "--json")
	var rep buildReport
	json.Unmarshal([]byte(out), &rep)
	if code != 0 || len(rep.Shards) != 2 || rep.Shards[0].Paths != 2 {
		t.Errorf("--max-shard-size 20B: exit %d %s\n%s", code, errOut, out)
	}
	if _, _, code := run(t, "build", m, "--out", filepath.Join(t.TempDir(), "d"), "--max-shard-size", "500GiB"); code != 0 {
		t.Error("500GiB refused")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", m, "--max-shard-size", "lots"}, `--max-shard-size "lots" is not a size such as 4TB or 500GiB`},
		{[]string{"build", m, "--url-template", "http://h/{id}"}, "--url-template and --path-prefix go with --md5-table"},
		{[]string{"build", "--md5-table", m}, "--md5-table needs --url-template"},
		{[]string{"build", m, "--md5-table", m, "--url-template", "http://h/{id}"}, "give one collection, not both"},
		{[]string{"build", m, "--item-depth", "0"}, "--item-depth must be at least 1"},
	} {
		_, errOut, code := run(t, append(tc.args, "--out", t.TempDir())...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q, want %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestBuildThousandDirGetsFromTemplate: an MD5 table puts id 123456 at
// repository/123000/123456.cbz, in the item repository/123000, and real
// git-annex fetches it from the URL template, with either template shape.
func TestBuildThousandDirGetsFromTemplate(t *testing.T) {
	testkit.RequireGitAnnex(t)
	contents := map[int]string{123456: "comic 123456", 123999: "comic 123999", 5: "comic 5"}
	origin := map[string]string{}
	table := "id\tmd5\tsize\textension\n"
	for id, c := range contents {
		sum := md5.Sum([]byte(c))
		h := hex.EncodeToString(sum[:])
		table += strings.Join([]string{itoa(id), h, itoa(len(c)), "cbz"}, "\t") + "\n"
		origin["repository/"+itoa(id/1000*1000)+"/"+itoa(id)+".cbz"] = c
		origin["by-md5/"+h] = c
	}
	srv := testkit.Origin(t, testkit.WriteFiles(t, origin))
	tablePath := writeFile(t, "comics.tsv", table)
	env := testkit.HandEnv(t)

	for _, tc := range []struct {
		template, prefix, path, item string
	}{
		{srv.URL + "/repository/{dir}/{id}.{ext}", "", "repository/123000/123456.cbz", "repository/123000"},
		{srv.URL + "/by-md5/{md5}", "comics", "comics/123000/123456.cbz", "comics/123000"},
	} {
		data := filepath.Join(t.TempDir(), "data")
		args := []string{"build", "--md5-table", tablePath, "--url-template", tc.template, "--out", data}
		if tc.prefix != "" {
			args = append(args, "--path-prefix", tc.prefix)
		}
		out, errOut, code := run(t, args...)
		if code != 0 {
			t.Fatalf("build: %s%s", out, errOut)
		}
		items, _ := os.ReadFile(shard.ItemsPath(data))
		if !strings.Contains(string(items), `"`+tc.item+`"`) {
			t.Errorf("items.json lacks %s:\n%s", tc.item, items)
		}
		work := filepath.Join(t.TempDir(), "work")
		testkit.Run(t, env, "", "git", "clone", "-q", shard.RepoDir(data, "shard-0001"), work)
		testkit.Run(t, env, work, "git", "annex", "init", "-q", "donor")
		testkit.Run(t, env, work, "git", "-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "get", "-q", tc.path)
		if got, err := os.ReadFile(filepath.Join(work, filepath.FromSlash(tc.path))); err != nil || string(got) != "comic 123456" {
			t.Errorf("%s: got %q %v", tc.path, got, err)
		}
		key := strings.TrimSpace(testkit.Run(t, env, work, "git", "annex", "lookupkey", tc.path))
		if !strings.HasPrefix(key, "MD5E-s12--") || !strings.HasSuffix(key, ".cbz") || annex.Key(key).Backend() != annex.BackendMD5E {
			t.Errorf("key %s", key)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestBuildRelativeOutAndRebuild: --out may be relative, and building into
// it again updates the shard in place.
func TestBuildRelativeOutAndRebuild(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("v1.csv", []byte("path,size,md5,url\na/1,1,"+md5x+",http://h/a/1\n"), 0o644)
	os.WriteFile("v2.jsonl", []byte(`{"path":"a/1","size":1,"md5":"`+md5x+`","url":"http://h/moved/a/1"}`+"\n"+
		`{"path":"a/2","size":2,"md5":"`+md5y+`","url":"http://h/a/2"}`+"\n"), 0o644)
	if _, errOut, code := run(t, "build", "v1.csv", "--out", "data"); code != 0 {
		t.Fatal(errOut)
	}
	out, errOut, code := run(t, "build", "v2.jsonl", "--out", "data", "--json")
	var rep struct {
		Shards []struct {
			Name        string `json:"name"`
			Status      string `json:"status"`
			Added       int    `json:"added"`
			URLsChanged int    `json:"urls_changed"`
		} `json:"shards"`
	}
	json.Unmarshal([]byte(out), &rep)
	if code != 0 || len(rep.Shards) != 1 || rep.Shards[0].Status != "updated" || rep.Shards[0].Added != 1 || rep.Shards[0].URLsChanged != 1 {
		t.Errorf("rebuild: exit %d %s\n%s", code, errOut, out)
	}
	out, _, _ = run(t, "build", "v2.jsonl", "--out", "data")
	if !strings.Contains(out, "shard-0001  unchanged") {
		t.Errorf("third build:\n%s", out)
	}
}
