package annex_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// The tests here check this package against the real git-annex.

// newAnnexRepo is a new git-annex repository and a run of a command in
// it, which returns its output (skips without git-annex).
func newAnnexRepo(t *testing.T) (dir string, run func(args ...string) string) {
	t.Helper()
	testkit.RequireGitAnnex(t)
	dir, env := t.TempDir(), testkit.Env(t)
	run = func(args ...string) string {
		t.Helper()
		return strings.TrimSpace(testkit.Run(t, env, dir, args...))
	}
	run("git", "init", "-q")
	run("git", "annex", "init", "-q", "test")
	return dir, run
}

func sha256hex(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }

// TestAgainstGitAnnex checks keys and hash directories against the real
// git-annex, which is the authority on its own formats.
func TestAgainstGitAnnex(t *testing.T) {
	dir, run := newAnnexRepo(t)
	names := []string{"a.tar.gz", "b.verylongext", "c.JPG", "noext", "d.a b", "e.1.2.3"}
	for i, n := range names {
		os.WriteFile(filepath.Join(dir, n), []byte(strings.Repeat("x", i)), 0o644)
	}
	want := strings.Split(run(append([]string{"git", "annex", "calckey"}, names...)...), "\n")
	for i, n := range names {
		data, _ := os.ReadFile(filepath.Join(dir, n))
		sum := sha256hex(data)
		got := annex.NewKey(annex.BackendSHA256E, int64(len(data)), sum, n)
		if string(got) != want[i] {
			t.Errorf("%s: key %s, git-annex says %s", n, got, want[i])
		}
		dirs := run("git", "annex", "examinekey", "--format=${hashdirmixed} ${hashdirlower}", string(got))
		if mine := annex.HashDirMixed(got) + " " + annex.HashDirLower(got); dirs != mine {
			t.Errorf("%s: hash dirs %q, git-annex says %q", got, mine, dirs)
		}
	}
	// A location log read through the branch reader.
	run("git", "annex", "setpresentkey", string(annex.NewKey(annex.BackendSHA256E, 0, sha256hex(nil), "noext")), annex.WebUUID, "1")
	loc, err := annex.ReadLocations(context.Background(), annex.Git{Dir: dir}, annex.BranchRef)
	if err != nil {
		t.Fatal(err)
	}
	if err := loc.ApplyJournal(filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	k := annex.NewKey(annex.BackendSHA256E, 0, sha256hex(nil), "noext")
	if !loc.Has(k, annex.WebUUID) || loc.DonorCopies(k) != 0 {
		t.Errorf("branch reader: has web %v, donor copies %d", loc.Has(k, annex.WebUUID), loc.DonorCopies(k))
	}
}

// TestLocationReaderFollowsTheBranch: after each kind of change git-annex
// makes, the incremental reader says exactly what a full read says.
func TestLocationReaderFollowsTheBranch(t *testing.T) {
	dir, run := newAnnexRepo(t)
	key := func(i int) string {
		return string(annex.NewKey(annex.BackendSHA256E, int64(i), strings.Repeat("0", 63)+string(rune('a'+i)), "f.bin"))
	}
	const donor = "11111111-2222-3333-4444-555555555555"
	g, gitDir := annex.Git{Dir: dir}, filepath.Join(dir, ".git")
	ctx := context.Background()
	var r annex.LocationReader
	check := func(step string) *annex.Locations {
		t.Helper()
		got, err := r.Read(ctx, g, annex.BranchRef, gitDir)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		want, err := annex.ReadLocations(ctx, g, annex.BranchRef)
		if err != nil {
			t.Fatal(err)
		}
		if err := want.ApplyJournal(gitDir); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: incremental read differs from a full read:\n got %v\nwant %v", step, got, want)
		}
		return got
	}

	for i := 0; i < 4; i++ {
		run("git", "annex", "setpresentkey", key(i), annex.WebUUID, "1")
	}
	run("git", "annex", "merge", "-q")
	first := check("first read")

	run("git", "annex", "setpresentkey", key(1), donor, "1")
	run("git", "annex", "setpresentkey", key(5), annex.WebUUID, "1")
	run("git", "annex", "setpresentkey", key(2), annex.WebUUID, "0")
	run("git", "annex", "merge", "-q")
	got := check("after new, changed and dropped lines")
	if !got.Has(annex.Key(key(1)), donor) || got.Has(annex.Key(key(2)), annex.WebUUID) || !got.Has(annex.Key(key(5)), annex.WebUUID) {
		t.Fatalf("the changes are not there: %v", got.Logs)
	}
	if first.Has(annex.Key(key(1)), donor) {
		t.Fatal("a later read changed an earlier result")
	}

	run("git", "annex", "untrust", "-q", "here")
	run("git", "annex", "merge", "-q")
	check("after trust.log changed")

	run("git", "annex", "setpresentkey", key(3), donor, "1") // stays in the journal
	check("with the journal")
	run("git", "annex", "merge", "-q")
	check("after the journal was committed")

	// The same reader on a repository made anew, which lacks the commit it
	// last read: it reads everything again.
	dir, run = newAnnexRepo(t)
	run("git", "annex", "setpresentkey", key(7), annex.WebUUID, "1")
	run("git", "annex", "merge", "-q")
	g, gitDir = annex.Git{Dir: dir}, filepath.Join(dir, ".git")
	if got := check("on a new repository"); !got.Has(annex.Key(key(7)), annex.WebUUID) || len(got.Logs) != 1 {
		t.Fatalf("new repository read as %v", got.Logs)
	}
}
