package agent

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// untrustOnHub marks a donor untrusted in the hub's shard branch, as a hub
// does for a leaving donor so that the others stop counting its copies
// (git-annex's own meaning of untrusted).
func untrustOnHub(t *testing.T, w *world, uuid string) {
	t.Helper()
	gitDir := shard.RepoDir(w.hub.data, "shard-0001")
	index := t.TempDir() + "/index"
	run := func(stdin string, args ...string) string {
		cmd := exec.Command("git", append([]string{"--git-dir", gitDir}, args...)...)
		cmd.Env = append(cmd.Environ(), "GIT_INDEX_FILE="+index, "GIT_AUTHOR_NAME=hub", "GIT_AUTHOR_EMAIL=hub@example.invalid",
			"GIT_COMMITTER_NAME=hub", "GIT_COMMITTER_EMAIL=hub@example.invalid")
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	old, _ := exec.Command("git", "--git-dir", gitDir, "show", "git-annex:trust.log").Output()
	line := fmt.Sprintf("%s 0 timestamp=%ds\n", uuid, time.Now().Unix())
	blob := run(string(old)+line, "hash-object", "-w", "--stdin")
	run("", "read-tree", "git-annex")
	run("", "update-index", "--add", "--cacheinfo", "100644,"+blob+",trust.log")
	tree := run("", "write-tree")
	commit := run("", "commit-tree", tree, "-p", "git-annex", "-m", "untrust a leaving donor")
	run("", "update-ref", "refs/heads/git-annex", commit)
}

// TestLeaveGivesBackAsOthersTakeOver: a leaving donor keeps files that
// lack copies until another donor has them, gives back the rest at once,
// everything after the deadline, then deregisters.
func TestLeaveGivesBackAsOthersTakeOver(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 6, func(int) int { return 8 << 10 })
	ha := w.join("leaver", w.total()*2)
	a := newAgent(t, ha, Options{Target: 1})
	ctx := context.Background()
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	repoA := a.cfg.Shards[0].Path
	if n := len(heldKeys(t, repoA)); n != 6 {
		t.Fatalf("holds %d files, want 6", n)
	}
	if err := a.LeaveBy(ctx, time.Now().Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := a.Status(ctx)
	if !st.Leaving || st.FilesProtected != 6 || !strings.Contains(st.Message, "keeping 6") {
		t.Errorf("leaving with no other copies: leaving=%v files=%d message %q", st.Leaving, st.FilesProtected, st.Message)
	}
	if a.state.Leaving == nil || !a.state.Leaving.HubNotified {
		t.Errorf("the hub was not told: %+v", a.state.Leaving)
	}
	// No new downloads while leaving.
	before := len(heldKeys(t, repoA))
	untrustOnHub(t, w, a.cfg.DonorUUID)

	// Another donor takes over half the files.
	hb := w.join("taker", 2*8<<10+ledger.Reserve(8<<10, 4096)) // room for 3 files
	b := newAgent(t, hb, Options{Target: 1})
	if err := b.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	takenOver := heldKeys(t, b.cfg.Shards[0].Path)
	if len(takenOver) != 3 {
		t.Fatalf("the other donor took %d files, want 3", len(takenOver))
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	kept := heldKeys(t, repoA)
	for k := range takenOver {
		if kept[k] {
			t.Errorf("still holds %s, which another donor now holds", k)
		}
	}
	if len(kept) != 3 || before != 6 {
		t.Errorf("holds %d files after the takeover, want the 3 nobody else has", len(kept))
	}

	// After the deadline everything goes, and the donor deregisters.
	if err := a.LeaveBy(ctx, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(heldKeys(t, repoA)); n != 0 {
		t.Errorf("holds %d files after the deadline", n)
	}
	st, _ = a.Status(ctx)
	if !st.Left || st.Leaving || !strings.Contains(st.Message, "left the hub") {
		t.Errorf("after giving everything back: left=%v leaving=%v %q", st.Left, st.Leaving, st.Message)
	}
	if hubKnows(t, w, a) {
		t.Errorf("the hub still knows the donor after it left")
	}
	if err := a.Leave(ctx); err == nil {
		t.Errorf("leaving twice accepted")
	}
}

// hubKnows asks the hub whether it still knows the donor.
func hubKnows(t *testing.T, w *world, a *Agent) bool {
	t.Helper()
	resp := donorRecord(t, w, a)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// donorRecord asks the hub for the donor's own record, with its token.
func donorRecord(t *testing.T, w *world, a *Agent) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.hub.url+"/api/v1/donors/"+a.cfg.DonorUUID, nil)
	req.Header.Set("Authorization", "Bearer "+a.cfg.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
