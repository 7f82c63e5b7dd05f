package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

type statusJSON struct {
	Budget struct {
		EffectiveBytes int64  `json:"effective_bytes"`
		Binding        string `json:"binding"`
		Disk           struct {
			UsedByShardkeeper int64 `json:"used_by_shardkeeper"`
		} `json:"disk"`
		RepositoryBytes int64 `json:"repository_bytes"`
		GrowthRoomBytes int64 `json:"growth_room_bytes"`
	} `json:"budget"`
	PausedUntil    *string `json:"paused_until"`
	FilesSkipped   int64   `json:"files_skipped"`
	Left           bool    `json:"left"`
	FilesProtected int64   `json:"files_protected"`
	BytesHeld      int64   `json:"bytes_held"`
	BudgetBytes    int64   `json:"budget_bytes"`
	Paused         bool    `json:"paused"`
	State          string  `json:"state"`
	Message        string  `json:"message"`
	Shards         []struct {
		Name      string `json:"name"`
		Path      string `json:"path"`
		FilesHeld int64  `json:"files_held"`
		BytesHeld int64  `json:"bytes_held"`
	} `json:"shards"`
}

type healthJSON struct {
	Shards []struct {
		Name   string         `json:"name"`
		Files  int64          `json:"files"`
		Bytes  int64          `json:"bytes"`
		Copies map[string]int `json:"copies"`
	} `json:"shards"`
}

func status(t *testing.T, home string) statusJSON {
	t.Helper()
	var st statusJSON
	r := mustRun(t, shardkeeperBin, "status", "--home", home, "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.Stdout)
	}
	return st
}

// fileGrowth is what the agent books for a shard repository's own files
// per file fetched, until it measures them again (agent/ledger's
// MetaGrowthBlocks of 4 KiB).
const fileGrowth = 10 * 4096

// contentBudget sets a joined donor's budget to content bytes above its
// repositories and their growth room (testkit.ContentBudget).
func contentBudget(t *testing.T, home string, content int64) int64 {
	t.Helper()
	return testkit.ContentBudget(t, shardkeeperBin, home, content)
}

// heldKeys asks git-annex itself which keys a donor repository has.
func heldKeys(t *testing.T, repo string) []string {
	t.Helper()
	return findKeys(t, repo, "--in=here")
}

// allKeys lists the keys of every file in the shard.
func allKeys(t *testing.T, repo string) []string {
	t.Helper()
	return findKeys(t, repo, "--include=*")
}

// findKeys lists, sorted and once each, the keys `git annex find` matches.
func findKeys(t *testing.T, repo, match string) []string {
	t.Helper()
	cmd := exec.Command("git", "annex", "find", "--branch=HEAD", match, "--format=${key}\n")
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git annex find %s in %s: %v", match, repo, err)
	}
	keys := strings.Fields(string(out))
	sort.Strings(keys)
	return uniq(keys)
}

// keySize reads the size field of a key ("SHA256E-s1234--...").
func keySize(t *testing.T, k string) int64 {
	t.Helper()
	fields, _, _ := strings.Cut(k, "--")
	for _, f := range strings.Split(fields, "-") {
		if strings.HasPrefix(f, "s") {
			n, err := strconv.ParseInt(f[1:], 10, 64)
			if err == nil {
				return n
			}
		}
	}
	t.Fatalf("key %s has no size", k)
	return 0
}

// onDisk is the most a file of size bytes may reserve while it downloads:
// whole 4 KiB blocks, 1/1024 for the filesystem, and a spare block.
func onDisk(size int64) int64 {
	return (size+size/1024+4095)/4096*4096 + 4096
}

func uniq(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// TestTwoDonorsEndToEnd is the foundation's acceptance test: build, serve,
// join two donors with different budgets, run them until idle, and check
// the hub's health against what the donors and git-annex say.
func TestTwoDonorsEndToEnd(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	total := makeCollection(t, coll, 60, 1)
	origin := serveOrigin(t, coll)

	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", origin, "--out", data)
	hub := startHub(t, data)

	type donor struct {
		home, storage string
		budget        int64
	}
	donors := []donor{
		{filepath.Join(tmp, "a-home"), filepath.Join(tmp, "a-store"), total / 2},
		{filepath.Join(tmp, "b-home"), filepath.Join(tmp, "b-store"), total / 4},
	}
	for i, d := range donors {
		mustRun(t, shardkeeperBin, "join", "--home", d.home, "--hub", hub, "--storage", d.storage, "--budget", "1")
		donors[i].budget = contentBudget(t, d.home, d.budget)
	}
	for _, d := range donors {
		mustRun(t, shardkeeperBin, "agent", "--home", d.home, "--until-idle")
	}

	copies := map[string]int{}
	var protected int64
	for _, d := range donors {
		st := status(t, d.home)
		if st.FilesProtected == 0 {
			t.Fatalf("donor %s protects nothing: %+v", d.home, st)
		}
		used := st.Budget.Disk.UsedByShardkeeper
		if st.BytesHeld > d.budget || used > d.budget {
			t.Errorf("donor %s holds %d bytes (%d on disk), over its budget %d", d.home, st.BytesHeld, used, d.budget)
		}
		if st.BudgetBytes != d.budget || len(st.Shards) != 1 {
			t.Errorf("status %+v: want budget %d and one shard", st, d.budget)
		}
		// Filled to within one file of the budget less the room kept for
		// the repository to grow (files are at most 41 KB, and a download
		// reserves whole blocks, a spare one and the repository's growth).
		if d.budget-used-st.Budget.GrowthRoomBytes > onDisk(41*1024)+fileGrowth {
			t.Errorf("donor %s stopped at %d of %d bytes on disk although files need copies", d.home, used, d.budget)
		}
		keys := heldKeys(t, st.Shards[0].Path)
		if int64(len(keys)) != st.FilesProtected {
			t.Errorf("status says %d files, git-annex finds %d", st.FilesProtected, len(keys))
		}
		for _, k := range keys {
			copies[k]++
		}
		protected += st.FilesProtected

		checkFsck(t, st.Shards[0].Path, st.FilesProtected)
	}

	checkHealthCounts(t, data, copies, protected, total)
	// Rarest first: the second donor started after the first had reported,
	// so it may hold a file the first also holds only when no file without
	// any copy would still have fitted in its budget.
	b := status(t, donors[1].home)
	room := donors[1].budget - b.Budget.Disk.UsedByShardkeeper
	overlap := int(protected) - len(copies)
	for _, k := range allKeys(t, b.Shards[0].Path) {
		if copies[k] == 0 && overlap > 0 && onDisk(keySize(t, k)) <= room {
			t.Errorf("donor b fetched %d files others had while %s (%d bytes, room %d) had no copy", overlap, k, keySize(t, k), room)
		}
	}
}

// checkFsck: every file the donor fetched verifies.
func checkFsck(t *testing.T, repo string, held int64) {
	t.Helper()
	fsck := exec.Command("git", "annex", "fsck", "--all", "--in=here") // by key: a shard has no work tree
	fsck.Dir = repo
	out, err := fsck.CombinedOutput()
	if err != nil {
		t.Errorf("git annex fsck in %s: %v\n%s", repo, err, out)
	}
	if n := strings.Count(string(out), " ok\n"); int64(n) != held {
		t.Errorf("fsck verified %d files, donor holds %d\n%s", n, held, out)
	}
}

// checkHealthCounts: the hub's health report counts the copies the donors
// hold, file by file.
func checkHealthCounts(t *testing.T, data string, copies map[string]int, protected, total int64) {
	t.Helper()
	var h healthJSON
	r := mustRun(t, shardhubBin, "health", "--data", data, "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &h); err != nil {
		t.Fatalf("health --json: %v\n%s", err, r.Stdout)
	}
	if len(h.Shards) != 1 {
		t.Fatalf("health: want one shard, got %+v", h)
	}
	sh := h.Shards[0]
	want := map[string]int{"0": int(sh.Files) - len(copies)}
	for _, n := range copies {
		want[strconv.Itoa(n)]++
	}
	for k, v := range want {
		if sh.Copies[k] != v {
			t.Errorf("health copies[%s] = %d, donors say %d (health %v, want %v)", k, sh.Copies[k], v, sh.Copies, want)
		}
	}
	var sum int
	for k, v := range sh.Copies {
		n, _ := strconv.Atoi(k)
		sum += n * v
	}
	if int64(sum) != protected {
		t.Errorf("health counts %d donor copies, donors' status says %d", sum, protected)
	}
	if sh.Files != 60 || sh.Bytes != total {
		t.Errorf("health: %d files, %d bytes; want 60, %d", sh.Files, sh.Bytes, total)
	}
}

// TestSecondDonorTakesRarestFirst: with files all of one size, a donor that
// joins after another has reported never holds a file the first holds
// while files without any copy are left (most-copies-first would hold
// almost only those).
func TestSecondDonorTakesRarestFirst(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	total := makeCollectionSized(t, coll, 40, 5, func(*rand.Rand) int { return 16 << 10 })
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data)
	held := map[string]int{}
	var files []int
	for i, budget := range []int64{total / 2, total / 4} {
		home := filepath.Join(tmp, fmt.Sprintf("home-%d", i))
		mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", filepath.Join(tmp, fmt.Sprintf("store-%d", i)),
			"--budget", "1")
		contentBudget(t, home, budget)
		mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")
		keys := heldKeys(t, status(t, home).Shards[0].Path)
		for _, k := range keys {
			held[k]++
		}
		files = append(files, len(keys))
	}
	if files[0] == 0 || files[1] == 0 || files[0]+files[1] >= 40 {
		t.Fatalf("donors hold %v files of 40: the test needs both to hold some and files to be left", files)
	}
	if overlap := files[0] + files[1] - len(held); overlap != 0 {
		t.Errorf("the second donor holds %d of its %d files that the first holds, while %d files have no copy",
			overlap, files[1], 40-len(held))
	}
}

// TestBudgetSmallerThanAnyFile: a donor that cannot fit even one file
// fetches nothing and says why.
func TestBudgetSmallerThanAnyFile(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	makeCollection(t, coll, 5, 2)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data)
	home := filepath.Join(tmp, "home")
	mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", filepath.Join(tmp, "s"), "--budget", "1")
	contentBudget(t, home, 8<<10) // a file also books its repository's growth (fileGrowth)
	mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")
	st := status(t, home)
	if st.FilesProtected != 0 || st.BytesHeld != 0 {
		t.Errorf("fetched %d files with a 500-byte budget", st.FilesProtected)
	}
	if !strings.Contains(st.Message, "smaller than the smallest file") {
		t.Errorf("status does not say why nothing was fetched: %q", st.Message)
	}
}

// TestBadInput: each kind of bad input gets one clear line and a failure.
func TestBadInput(t *testing.T) {
	tmp := t.TempDir()
	manifest := func(name, body string) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	sha := strings.Repeat("ab", 32)
	// shardhub build skips bad rows by default; --strict makes one fail the build.
	noSize := manifest("nosize.csv", "path,size,sha256,url\na.bin,3,"+sha+",http://o/a\nb.bin,,"+sha+",http://o/b\n")
	oneLineError(t, "manifest without size", run(t, shardhubBin, "build", "--strict", noSize, "--out", filepath.Join(tmp, "d1")), "line 3", "size")
	badHash := manifest("badhash.csv", "path,size,sha256,url\na.bin,3,xyz,http://o/a\n")
	oneLineError(t, "manifest with a bad hash", run(t, shardhubBin, "build", "--strict", badHash, "--out", filepath.Join(tmp, "d2")), "line 2", "sha256")

	oneLineError(t, "hub that does not answer",
		run(t, shardkeeperBin, "join", "--home", filepath.Join(tmp, "h1"), "--hub", "http://127.0.0.1:1", "--storage", filepath.Join(tmp, "s1"), "--budget", "1GB"),
		"does not answer")
	oneLineError(t, "budget in parsecs",
		run(t, shardkeeperBin, "join", "--home", filepath.Join(tmp, "h2"), "--hub", "http://127.0.0.1:1", "--storage", filepath.Join(tmp, "s2"), "--budget", "12 parsecs"),
		"12 parsecs", "not a size")
	file := manifest("a-file", "x")
	oneLineError(t, "storage that cannot be written",
		run(t, shardkeeperBin, "join", "--home", filepath.Join(tmp, "h3"), "--hub", "http://127.0.0.1:1", "--storage", filepath.Join(file, "sub"), "--budget", "1GB"),
		"cannot be written")
	oneLineError(t, "status of a home that never joined", run(t, shardkeeperBin, "agent", "--home", filepath.Join(tmp, "h4")), "join")
}
