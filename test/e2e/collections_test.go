package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
)

// holds says whether a donor's repository has key's content, also a key
// no longer in the shard's tree.
func holds(repo, key string) bool {
	cmd := exec.Command("git", "annex", "contentlocation", key)
	cmd.Dir = repo
	return cmd.Run() == nil
}

// fsckClean runs git-annex's own checks in a donor repository: every file
// in the tree (content of those held, copies of the others) and every
// object held, also of files no longer in the tree.
func fsckClean(t *testing.T, repo string) {
	t.Helper()
	for _, args := range [][]string{{"annex", "fsck", "--quiet"}, {"annex", "fsck", "--all", "--in=here", "--quiet"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("git %s in %s: %v\n%s", strings.Join(args, " "), repo, err, out)
		}
	}
}

// joinDonor joins a donor with room for budget bytes of content above its
// repository and its growth room (contentBudget), and more join flags; it
// returns the home and its shard repository.
func joinDonor(t *testing.T, tmp, hub, name string, budget int64, flags ...string) (home, repo string) {
	t.Helper()
	home = filepath.Join(tmp, name+"-home")
	args := append([]string{"join", "--home", home, "--hub", hub, "--storage", filepath.Join(tmp, name+"-store"),
		"--budget", strconv.FormatInt(budget, 10)}, flags...)
	mustRun(t, shardkeeperBin, args...)
	contentBudget(t, home, budget)
	return home, status(t, home).Shards[0].Path
}

func untilIdle(t *testing.T, home string) {
	t.Helper()
	mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")
}

// TestFileBiggerThanEveryBudget: one file is bigger than every donor's
// budget. The fills complete for everything else (every other file gets
// its two copies), and a donor that opted in to large files and has room
// holds it.
func TestFileBiggerThanEveryBudget(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	small := makeCollection(t, coll, 20, 21)
	big := make([]byte, 8<<20)
	rand.New(rand.NewSource(22)).Read(big)
	if err := os.MkdirAll(filepath.Join(coll, "item-99"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(coll, "item-99", "huge.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data, "--target-copies", "2")

	// The budget counts the repository's own files too (a small shard's
	// .git is about a megabyte): room for them, for every smaller file
	// twice over, and never for the big one.
	budget := 2*small + 3<<20
	if budget >= int64(len(big)) {
		t.Fatalf("budget %d is not below the big file's %d bytes", budget, len(big))
	}
	var repos []string
	for _, name := range []string{"a", "b"} {
		home, repo := joinDonor(t, tmp, hub, name, budget)
		untilIdle(t, home)
		if st := status(t, home); strings.Contains(st.Message, "Nothing fetched") || st.State == "error" {
			t.Fatalf("donor %s: %s (%s)", name, st.Message, st.State)
		}
		repos = append(repos, repo)
	}
	var bigKey string
	copies := map[string]int{}
	for _, k := range allKeys(t, repos[0]) {
		if keySize(t, k) == int64(len(big)) {
			bigKey = k
			continue
		}
		for _, r := range repos {
			if holds(r, k) {
				copies[k]++
			}
		}
	}
	full := 0
	for _, n := range copies {
		if n == 2 {
			full++
		}
	}
	t.Logf("%d of %d smaller files have their 2 copies; the %d-byte file has none", full, len(copies), len(big))
	if full != 20 || len(copies) != 20 || bigKey == "" {
		t.Fatalf("%d of %d smaller files have 2 copies (big key %q), want all 20", full, len(copies), bigKey)
	}

	// Health lists the file no registered donor could hold, until one can.
	waitTooLarge(t, hub, bigKey, true)
	home, repo := joinDonor(t, tmp, hub, "large", 16<<20, "--max-file-size", "10MiB")
	waitTooLarge(t, hub, bigKey, false)
	untilIdle(t, home)
	if !holds(repo, bigKey) {
		t.Fatalf("the donor that opted in to files up to 10 MiB does not hold the %d-byte file: %+v", len(big), status(t, home))
	}
	fsckClean(t, repo)
}

// waitTooLarge waits until the hub's health lists key among the files no
// registered donor could hold (listed) or no longer lists it.
func waitTooLarge(t *testing.T, hub, key string, listed bool) {
	t.Helper()
	waitFor(t, fmt.Sprintf("health to list %s as too large: %v", key, listed), 2*time.Minute, func() bool {
		var r struct {
			FilesTooLarge []health.TooLarge `json:"files_too_large"`
		}
		resp, err := http.Get(hub + "/api/v1/health")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		if json.NewDecoder(resp.Body).Decode(&r) != nil {
			return false
		}
		return slices.ContainsFunc(r.FilesTooLarge, func(f health.TooLarge) bool { return string(f.Key) == key }) == listed
	})
}

// TestRebuildRemovesAndChanges: a rebuild removes one file and changes
// another. The donor that keeps removed files (the default) keeps the
// removed one; the one that set keep_removed_files off gives it back. Both
// fetch the changed file's new version and give back its old one; the
// activity says so, and git-annex fsck stays clean.
func TestRebuildRemovesAndChanges(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	makeCollection(t, coll, 12, 31)
	origin := serveOrigin(t, coll)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", origin, "--out", data)
	hub := startHub(t, data, "--target-copies", "2")

	keepHome, keepRepo := joinDonor(t, tmp, hub, "keep", 10<<20)
	dropHome, dropRepo := joinDonor(t, tmp, hub, "drop", 10<<20)
	mustRun(t, shardkeeperBin, "settings", "--home", dropHome, "--keep_removed_files=false")
	for _, h := range []string{keepHome, dropHome} {
		untilIdle(t, h)
	}
	keyOf := func(repo, p string) string { // from the branch: a shard has no index (lookupkey reads it)
		out, err := gitOut(repo, "cat-file", "-p", "HEAD:"+p)
		if err != nil {
			t.Fatalf("the key of %s: %v", p, err)
		}
		return path.Base(strings.TrimSpace(out))
	}
	removedPath, changedPath := "item-00/file 000.bin", "item-00/file 001.bin"
	removedKey, oldKey := keyOf(keepRepo, removedPath), keyOf(keepRepo, changedPath)
	for _, r := range []string{keepRepo, dropRepo} {
		if !holds(r, removedKey) || !holds(r, oldKey) {
			t.Fatalf("%s does not hold both files before the rebuild", r)
		}
	}

	os.Remove(filepath.Join(coll, filepath.FromSlash(removedPath)))
	if err := os.WriteFile(filepath.Join(coll, filepath.FromSlash(changedPath)), []byte("a new version of this file"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", origin, "--out", data)
	for _, h := range []string{keepHome, dropHome} {
		untilIdle(t, h)
	}
	newKey := keyOf(keepRepo, changedPath)
	if newKey == oldKey {
		t.Fatalf("the donor's tree still has the old version of %s", changedPath)
	}
	for _, c := range []struct {
		repo, home  string
		keepRemoved bool
	}{{keepRepo, keepHome, true}, {dropRepo, dropHome, false}} {
		got := fmt.Sprintf("removed held %v, new version held %v, old version held %v",
			holds(c.repo, removedKey), holds(c.repo, newKey), holds(c.repo, oldKey))
		want := fmt.Sprintf("removed held %v, new version held true, old version held false", c.keepRemoved)
		t.Logf("%s: %s", filepath.Base(c.home), got)
		if got != want {
			t.Errorf("%s: %s; want %s", c.home, got, want)
		}
		fsckClean(t, c.repo)
		log := mustRun(t, shardkeeperBin, "log", "--home", c.home, "-n", "500").Stdout
		for _, says := range []string{"The archive removed " + removedPath, "The archive changed " + changedPath, "Gave back the old version of " + changedPath} {
			if !strings.Contains(log, says) {
				t.Errorf("%s: the activity does not say %q:\n%s", c.home, says, log)
			}
		}
	}
	if keys := allKeys(t, keepRepo); slices.Contains(keys, removedKey) {
		t.Errorf("the removed file is still in the donor's tree")
	}
}
