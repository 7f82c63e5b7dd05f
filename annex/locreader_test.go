package annex

import (
	"context"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestLocationReaderFollowsTheBranch: after each kind of change git-annex
// makes, the incremental reader says exactly what a full read says.
func TestLocationReaderFollowsTheBranch(t *testing.T) {
	if _, err := exec.LookPath("git-annex"); err != nil {
		t.Skip("git-annex not installed (make deps installs it)")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("git", "init", "-q")
	run("git", "annex", "init", "-q", "test")
	key := func(i int) string {
		return string(NewKey(BackendSHA256E, int64(i), strings.Repeat("0", 63)+string(rune('a'+i)), "f.bin"))
	}
	const donor = "11111111-2222-3333-4444-555555555555"
	g, gitDir := Git{Dir: dir}, filepath.Join(dir, ".git")
	ctx := context.Background()
	var r LocationReader
	check := func(step string) *Locations {
		t.Helper()
		got, err := r.Read(ctx, g, BranchRef, gitDir)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		want, err := ReadLocations(ctx, g, BranchRef)
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
		run("git", "annex", "setpresentkey", key(i), WebUUID, "1")
	}
	run("git", "annex", "merge", "-q")
	first := check("first read")

	run("git", "annex", "setpresentkey", key(1), donor, "1")
	run("git", "annex", "setpresentkey", key(5), WebUUID, "1")
	run("git", "annex", "setpresentkey", key(2), WebUUID, "0")
	run("git", "annex", "merge", "-q")
	got := check("after new, changed and dropped lines")
	if !got.Has(Key(key(1)), donor) || got.Has(Key(key(2)), WebUUID) || !got.Has(Key(key(5)), WebUUID) {
		t.Fatalf("the changes are not there: %v", got.Logs)
	}
	if first.Has(Key(key(1)), donor) {
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
	dir = t.TempDir()
	run("git", "init", "-q")
	run("git", "annex", "init", "-q", "again")
	run("git", "annex", "setpresentkey", key(7), WebUUID, "1")
	run("git", "annex", "merge", "-q")
	g, gitDir = Git{Dir: dir}, filepath.Join(dir, ".git")
	if got := check("on a new repository"); !got.Has(Key(key(7)), WebUUID) || len(got.Logs) != 1 {
		t.Fatalf("new repository read as %v", got.Logs)
	}
}
