package shard

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

var fixedNow = func() time.Time { return time.Unix(1700000000, 250000000) }

// TestGitAnnexAcceptsShard is the contract with real git-annex: a clone of
// a built shard gets every file from the archive's web URLs and fscks.
func TestGitAnnexAcceptsShard(t *testing.T) {
	testkit.RequireGitAnnex(t)
	files := map[string]string{
		"a.txt":                 "alpha\n",
		"empty":                 "",
		"dir/with space.bin":    strings.Repeat("b", 5000),
		"ünïcödé/ファイル.dat":      "unicode\n",
		`quote"d/"lead.txt`:     "quoted\n",
		"dup/one.txt":           "same\n",
		"dup/two.txt":           "same\n",
		"md5only/x.tar.gz":      "md5 only\n",
		"back\\slash and #?%.x": "odd\n",
	}
	collection := testkit.WriteFiles(t, files)
	origin := testkit.Origin(t, collection)
	entries, err := manifest.FromDir(collection, origin.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		if strings.HasPrefix(entries[i].Path, "md5only/") {
			entries[i].SHA256 = "" // an archive that only knows MD5s
		}
	}
	data := t.TempDir()
	infos, err := Build(context.Background(), entries, Options{DataDir: data, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Name: "shard-0001", Collection: manifest.DefaultCollection, Files: 8, Keys: 8, MD5OnlyKeys: 1, Paths: 9, Items: 8, Created: fixedNow().UTC()}
	for _, content := range files {
		want.Bytes += int64(len(content))
	}
	want.Bytes -= int64(len("same\n")) // one key for the duplicate
	if len(infos) != 1 || !reflect.DeepEqual(infos[0], want) {
		t.Fatalf("catalog %+v, want %+v", infos, want)
	}

	env := testkit.HandEnv(t)
	// Before any git-annex touches it (it initialises a local remote).
	testkit.Run(t, env, RepoDir(data, "shard-0001"), "git", "fsck", "--strict", "--no-dangling", "--no-progress")
	if n := testkit.Run(t, env, RepoDir(data, "shard-0001"), "git", "rev-list", "--count", "main", "git-annex"); n != "2\n" {
		t.Errorf("a new shard has %s commits on its two branches, want one each", n)
	}
	if refs := testkit.Run(t, env, RepoDir(data, "shard-0001"), "git", "for-each-ref", "--format=%(refname)"); refs != "refs/heads/git-annex\nrefs/heads/main\n" {
		t.Errorf("refs left by the build:\n%s", refs)
	}
	work := filepath.Join(t.TempDir(), "work")
	testkit.Run(t, env, "", "git", "clone", "-q", RepoDir(data, "shard-0001"), work)
	testkit.Run(t, env, work, "git", "annex", "init", "-q", "test clone")
	testkit.Run(t, env, work, "git", "-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "get", "-q", ".")
	testkit.Run(t, env, work, "git", "annex", "fsck", "-q")
	if out := testkit.Run(t, env, work, "git", "annex", "whereis", "dir/with space.bin"); !strings.Contains(out, "web") || !strings.Contains(out, origin.URL+"/dir/with%20space.bin") {
		t.Errorf("whereis does not list the web URL:\n%s", out)
	}
	if out := testkit.Run(t, env, work, "git", "annex", "whereis", "dup/two.txt"); !strings.Contains(out, "/dup/one.txt") || !strings.Contains(out, "/dup/two.txt") {
		t.Errorf("duplicate content does not list both URLs:\n%s", out)
	}
	for name, content := range files {
		got, err := os.ReadFile(filepath.Join(work, filepath.FromSlash(name)))
		if err != nil || string(got) != content {
			t.Errorf("%s: %q %v, want %q", name, got, err, content)
		}
	}
	listed := strings.Split(strings.TrimRight(testkit.Run(t, env, work, "git", "ls-files", "-z"), "\x00"), "\x00")
	if !reflect.DeepEqual(listed, sortedKeys(files)) {
		t.Errorf("ls-files %q, want %q", listed, sortedKeys(files))
	}
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestBuildSplitsQuotesAndRebuildsNothing needs only git.
func TestBuildSplitsQuotesAndRebuildsNothing(t *testing.T) {
	var entries []manifest.Entry
	for i, p := range []string{"new\nline", `back\slash`, "tab\there", `"lead`, "plain", "ctl\x01\x7f"} {
		entries = append(entries, manifest.Entry{Path: p, Size: int64(i), SHA256: strings.Repeat("0", 63) + string(rune('a'+i)), URL: "http://h/" + p})
	}
	data := t.TempDir()
	var progress []string
	infos, err := Build(context.Background(), entries, Options{DataDir: data, FilesPerShard: 4, Now: fixedNow, Progress: func(s string) { progress = append(progress, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].Files != 4 || infos[1].Files != 2 || len(progress) != 2 {
		t.Fatalf("split into %+v (progress %q)", infos, progress)
	}
	catalog, err := ReadCatalog(data)
	if err != nil || !reflect.DeepEqual(catalog, infos) {
		t.Errorf("catalog on disk %+v %v", catalog, err)
	}
	var raw []map[string]any
	b, _ := os.ReadFile(CatalogPath(data))
	json.Unmarshal(b, &raw)
	for _, field := range []string{"name", "files", "bytes", "keys", "md5_only_keys", "created"} {
		if _, ok := raw[0][field]; !ok {
			t.Errorf("catalog lacks %q: %s", field, b)
		}
	}

	ctx := context.Background()
	for s, info := range infos {
		g := annex.Git{Dir: RepoDir(data, info.Name)}
		if head, _ := g.Output(ctx, nil, "symbolic-ref", "HEAD"); strings.TrimSpace(string(head)) != "refs/heads/main" {
			t.Errorf("%s: HEAD is %q", info.Name, head)
		}
		var got []string
		err := annex.ReadTree(ctx, g, "main", nil, func(p string, target []byte) error {
			got = append(got, p+" -> "+string(target))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range entries[s*4 : min(s*4+4, len(entries))] {
			want = append(want, e.Path+" -> "+annex.SymlinkTarget(e.Path, KeyOf(e)))
		}
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s main branch:\n%q\nwant\n%q", info.Name, got, want)
		}
	}
	g := annex.Git{Dir: RepoDir(data, "shard-0001")}
	k := KeyOf(entries[1])
	logs := map[string]string{}
	annex.ReadTree(ctx, g, annex.BranchRef, nil, func(p string, data []byte) error {
		logs[p] = string(data)
		return nil
	})
	if got := logs[annex.LocationLogPath(k)]; got != "1700000000.25s 1 "+annex.WebUUID+"\n" {
		t.Errorf("location log %q", got)
	}
	if got := logs[annex.URLLogPath(k)]; got != "1700000000.25s 1 http://h/back\\slash\n" {
		t.Errorf("URL log %q", got)
	}

	// The same input again changes nothing: no new commits.
	heads, _ := g.Output(ctx, nil, "rev-parse", "main", "git-annex")
	rep, err := BuildFrom(ctx, Entries(entries), Options{DataDir: data, FilesPerShard: 4})
	if err != nil || len(rep.Shards) != 2 || rep.Shards[0].Status != StatusUnchanged || rep.Shards[1].Status != StatusUnchanged {
		t.Errorf("rebuild with the same input: %+v %v", rep, err)
	}
	if again, _ := g.Output(ctx, nil, "rev-parse", "main", "git-annex"); string(again) != string(heads) {
		t.Errorf("an unchanged rebuild moved the branches: %s -> %s", heads, again)
	}
	if left, _ := filepath.Glob(filepath.Join(data, ".shards-building-*")); len(left) != 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

func TestQuotePath(t *testing.T) {
	for in, want := range map[string]string{
		"plain":    `"plain"`,
		`a"b\c`:    `"a\"b\\c"`,
		"nl\n\x7f": `"nl\012\177"`,
		"ü":        `"ü"`,
	} {
		if got := quotePath(in); got != want {
			t.Errorf("quotePath(%q) = %s, want %s", in, got, want)
		}
	}
}
