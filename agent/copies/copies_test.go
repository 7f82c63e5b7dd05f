package copies

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestNeedsMergeOnlyWhenThereIsWork: git annex merge runs only when a fetch
// brought commits the git-annex branch lacks, or the journal has entries.
func TestNeedsMergeOnlyWhenThereIsWork(t *testing.T) {
	testkit.RequireGitAnnex(t)
	env := testkit.HandEnv(t)
	hub := filepath.Join(t.TempDir(), "hub")
	testkit.Run(t, env, "", "git", "init", "-q", hub)
	testkit.Run(t, env, hub, "git", "annex", "init", "-q", "hub")
	donor := testkit.HandDonor(t, env, hub, "5b7c3bd0-5b1f-4a5e-9a39-3f8d0ad1e9a1", "donor")
	r := annexproc.NewRepo(annexproc.Tools{Git: "git", GitAnnex: "git-annex"}, donor, "")
	ctx := context.Background()
	if NeedsMerge(ctx, r) {
		t.Fatal("a fresh clone whose git-annex branch has everything needs no merge")
	}
	testkit.Run(t, env, donor, "git", "fetch", "-q", "origin")
	if NeedsMerge(ctx, r) {
		t.Fatal("a fetch that brought nothing new needs no merge")
	}
	testkit.Run(t, env, hub, "git", "annex", "describe", "here", "the archive")
	testkit.Run(t, env, donor, "git", "fetch", "-q", "origin")
	if !NeedsMerge(ctx, r) {
		t.Fatal("a fetch that brought the hub's new commits needs a merge")
	}
	testkit.Run(t, env, donor, "git", "annex", "merge", "-q")
	if NeedsMerge(ctx, r) {
		t.Fatal("after the merge there is nothing left to merge")
	}
	journal := filepath.Join(donor, ".git", "annex", "journal")
	if err := os.MkdirAll(journal, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(journal, "uuid.log"), []byte("x donor timestamp=1s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !NeedsMerge(ctx, r) {
		t.Fatal("a journal with entries needs a merge (it commits them)")
	}
}
