package shard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// entriesOf describes files (path -> content) in path order, each served
// at urlOf(path).
func entriesOf(files map[string]string, urlOf func(string) string) []manifest.Entry {
	var out []manifest.Entry
	for _, p := range sortedKeys(files) {
		sum := sha256.Sum256([]byte(files[p]))
		out = append(out, manifest.Entry{Path: p, Size: int64(len(files[p])), SHA256: hex.EncodeToString(sum[:]), URL: urlOf(p)})
	}
	return out
}

func statuses(rep *Report) string {
	var s []string
	for _, sh := range rep.Shards {
		s = append(s, sh.Name+" "+sh.Status)
	}
	return strings.Join(s, ", ")
}

// TestRebuildKeepsShardsAndDonorsFastForward: a grown and changed input
// updates the shards in place; a donor's clone pulls main, gets a new
// file, uses the changed URL, and loses the removed file.
func TestRebuildKeepsShardsAndDonorsFastForward(t *testing.T) {
	testkit.RequireGitAnnex(t)
	ctx := context.Background()
	v1 := map[string]string{
		"a/1.txt": "a1", "a/2.txt": "a2", "a/3.txt": "a3",
		"b/1.txt": "b1",
		"c/1.txt": "c1", "c/2.txt": "c2",
	}
	originDir := testkit.WriteFiles(t, v1)
	origin := testkit.Origin(t, originDir)
	plain := func(p string) string { return origin.URL + "/" + p }
	data := t.TempDir()
	opts := Options{DataDir: data, FilesPerShard: 4, Now: fixedNow}
	rep, err := BuildFrom(ctx, Entries(entriesOf(v1, plain)), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "shard-0001 new, shard-0002 new" {
		t.Fatalf("first build: %s", got)
	}

	env := testkit.HandEnv(t)
	donor := filepath.Join(t.TempDir(), "donor")
	testkit.Run(t, env, "", "git", "clone", "-q", RepoDir(data, "shard-0001"), donor)
	testkit.Run(t, env, donor, "git", "annex", "init", "-q", "donor")
	testkit.Run(t, env, donor, "git", "-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "get", "-q", ".")
	g1 := annex.Git{Dir: RepoDir(data, "shard-0001")}
	oldHeads, _ := g1.Output(ctx, nil, "rev-parse", "main", "git-annex")

	// v2: a/2 removed, a/3 moved on the origin, a/4 and c/3 added, and new
	// items d (fits the last shard) and e (does not).
	v2 := map[string]string{
		"a/1.txt": "a1", "a/3.txt": "a3", "a/4.txt": "a4",
		"b/1.txt": "b1",
		"c/1.txt": "c1", "c/2.txt": "c2", "c/3.txt": "c3",
		"d/1.txt": "d1",
		"e/1.txt": "e1", "e/2.txt": "e2",
	}
	writeV2(originDir, v2)
	moved := func(p string) string {
		if p == "a/3.txt" {
			return origin.URL + "/moved/a/3.txt"
		}
		return plain(p)
	}
	opts.Now = func() time.Time { return fixedNow().Add(time.Hour) }
	rep, err = BuildFrom(ctx, Entries(entriesOf(v2, moved)), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "shard-0001 updated, shard-0002 updated, shard-0003 new" {
		t.Fatalf("rebuild: %s", got)
	}
	checkRebuildReport(t, rep, data, opts.Now())

	checkHistoryGrows(t, g1, oldHeads)
	for _, s := range rep.Shards {
		testkit.Run(t, env, RepoDir(data, s.Name), "git", "fsck", "--strict", "--no-dangling", "--no-progress")
	}
	k3 := KeyOf(entriesOf(v2, moved)[1])
	webLog, _ := g1.Output(ctx, nil, "cat-file", "-p", "git-annex:"+annex.URLLogPath(k3))
	if want := "1700003600.25s 0 " + plain("a/3.txt"); !strings.Contains(string(webLog), want) {
		t.Errorf("URL log of a/3.txt lacks %q:\n%s", want, webLog)
	}

	checkDonorFollows(t, env, donor, plain, moved)

	// The same input once more changes nothing.
	opts.Now = func() time.Time { return fixedNow().Add(2 * time.Hour) }
	rep, err = BuildFrom(ctx, Entries(entriesOf(v2, moved)), opts)
	if err != nil || statuses(rep) != "shard-0001 unchanged, shard-0002 unchanged, shard-0003 unchanged" {
		t.Errorf("third build: %s %v", statuses(rep), err)
	}
}

// writeV2 puts the second version of the files on the origin: a/3 moves,
// its old URL is gone.
func writeV2(originDir string, v2 map[string]string) {
	for p, content := range v2 {
		dest := filepath.Join(originDir, filepath.FromSlash(p))
		if p == "a/3.txt" {
			dest = filepath.Join(originDir, "moved", "a", "3.txt")
		}
		os.MkdirAll(filepath.Dir(dest), 0o755)
		os.WriteFile(dest, []byte(content), 0o644)
	}
	os.Remove(filepath.Join(originDir, "a", "3.txt")) // the old URL is gone
}

// checkRebuildReport: the rebuild's report and the catalog say what
// changed where.
func checkRebuildReport(t *testing.T, rep *Report, data string, now time.Time) {
	t.Helper()
	s1 := rep.Shards[0]
	if s1.Added != 1 || s1.Removed != 1 || s1.URLsChanged != 1 || s1.Changed != 0 || s1.Paths != 4 || s1.Created != fixedNow().UTC() || s1.Updated != now.UTC() {
		t.Errorf("shard-0001 report %+v", s1)
	}
	if s2 := rep.Shards[1]; s2.Added != 2 || s2.Paths != 4 || s2.Items != 2 {
		t.Errorf("shard-0002 report %+v (wants c/3 and item d)", s2)
	}
	catalog, _ := ReadCatalog(data)
	if len(catalog) != 3 || catalog[2].Name != "shard-0003" || catalog[2].Paths != 2 {
		t.Errorf("catalog %+v", catalog)
	}
}

// checkHistoryGrows: history only grows: the old tips are ancestors of
// the new ones.
func checkHistoryGrows(t *testing.T, g1 annex.Git, oldHeads []byte) {
	t.Helper()
	ctx := context.Background()
	newHeads, _ := g1.Output(ctx, nil, "rev-parse", "main", "git-annex")
	oldTips, newTips := strings.Fields(string(oldHeads)), strings.Fields(string(newHeads))
	for i := range oldTips {
		if oldTips[i] == newTips[i] {
			t.Errorf("branch %d did not move", i)
		}
		if _, err := g1.Output(ctx, nil, "merge-base", "--is-ancestor", oldTips[i], newTips[i]); err != nil {
			t.Errorf("new tip %s does not contain the old %s: history rewritten", newTips[i], oldTips[i])
		}
	}
}

// checkDonorFollows: the donor fast-forwards and follows: the new file,
// the moved file's new URL, the removed file gone.
func checkDonorFollows(t *testing.T, env []string, donor string, plain, moved func(string) string) {
	t.Helper()
	testkit.Run(t, env, donor, "git", "pull", "-q", "--ff-only")
	files := testkit.Run(t, env, donor, "git", "ls-files")
	if files != "a/1.txt\na/3.txt\na/4.txt\nb/1.txt\n" {
		t.Errorf("donor's main after pull:\n%s", files)
	}
	testkit.Run(t, env, donor, "git", "-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "get", "-q", "a/4.txt")
	if got, _ := os.ReadFile(filepath.Join(donor, "a", "4.txt")); string(got) != "a4" {
		t.Errorf("a/4.txt = %q", got)
	}
	where := testkit.Run(t, env, donor, "git", "annex", "whereis", "a/3.txt")
	if !strings.Contains(where, moved("a/3.txt")) || strings.Contains(where, plain("a/3.txt")) {
		t.Errorf("whereis a/3.txt does not list only the new URL:\n%s", where)
	}
	testkit.Run(t, env, donor, "git", "annex", "drop", "-q", "--force", "a/3.txt")
	testkit.Run(t, env, donor, "git", "-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "get", "-q", "a/3.txt")
	if got, _ := os.ReadFile(filepath.Join(donor, "a", "3.txt")); string(got) != "a3" {
		t.Errorf("a/3.txt from its new URL = %q", got)
	}
}

// TestRebuildWithoutIndexReadsRepos: a data directory without its index
// (built before there was one) is read back from the repositories.
func TestRebuildWithoutIndexReadsRepos(t *testing.T) {
	ctx := context.Background()
	files := map[string]string{"a/1": "1", "a/2": "2", "b/1": "3", "c/1": "4"}
	url := func(p string) string { return "http://h/" + p }
	data := t.TempDir()
	opts := Options{DataDir: data, FilesPerShard: 3, Now: fixedNow}
	if _, err := BuildFrom(ctx, Entries(entriesOf(files, url)), opts); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(data, "index"))
	os.Remove(ItemsPath(data))

	// "b" sorts first now, but stays where it is; "b/1" moves on the web.
	files["0/new"] = "5"
	moved := func(p string) string {
		if p == "b/1" {
			return "http://h/moved/b/1"
		}
		return url(p)
	}
	opts.Now = func() time.Time { return fixedNow().Add(time.Hour) }
	rep, err := BuildFrom(ctx, Entries(entriesOf(files, moved)), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "shard-0001 updated, shard-0002 updated" {
		t.Fatalf("rebuild: %s", got)
	}
	if s := rep.Shards[0]; s.URLsChanged != 1 || s.Added != 0 || s.Removed != 0 {
		t.Errorf("shard-0001 %+v", s)
	}
	if s := rep.Shards[1]; s.Added != 1 || s.Paths != 2 {
		t.Errorf("shard-0002 %+v (wants c/1 and 0/new)", s)
	}
	items, _, _ := readItems(data)
	want := map[string]string{"a": "shard-0001", "b": "shard-0001", "c": "shard-0002", "0": "shard-0002"}
	if len(items) != len(want) {
		t.Errorf("items %v", items)
	}
	for it, s := range want {
		if items[it] != s {
			t.Errorf("item %s in %q, want %s", it, items[it], s)
		}
	}
}

// TestIndexRoundTrip: paths a TSV line cannot hold survive the index.
func TestIndexRoundTrip(t *testing.T) {
	data := t.TempDir()
	var recs []*record
	for _, p := range []string{"tab\there", "new\nline", `"lead`, `back\slash`, "ü", "#hash"} {
		recs = append(recs, &record{path: p, url: "http://h/" + p, key: annex.Key("MD5E-s1--" + strings.Repeat("0", 32))})
	}
	if err := writeIndex(data, "s", recs); err != nil {
		t.Fatal(err)
	}
	old, ok, err := readIndex(data, "s")
	if err != nil || !ok || len(old.files) != len(recs) {
		t.Fatalf("read back %d files, %v %v", len(old.files), ok, err)
	}
	for _, r := range recs {
		if f := old.files[r.path]; f.key != r.key || f.url != r.url {
			t.Errorf("%q read back as %+v", r.path, f)
		}
	}
	var urls []string
	for _, list := range old.urls {
		urls = append(urls, list...)
	}
	sort.Strings(urls)
	if len(urls) != len(recs) {
		t.Errorf("urls per key %v", urls)
	}
}
