package agent

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/annex"
)

// setCopies records, in the donor's own repository only, that n other
// (made-up) donors hold k.
func setCopies(t *testing.T, repo string, k annex.Key, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		uuid := fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1)
		cmd := exec.Command("git", "annex", "setpresentkey", string(k), uuid, "1")
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("setpresentkey: %v\n%s", err, out)
		}
	}
}

// TestLowerBudgetDropsMostReplicatedFirst: lowering the budget gives space
// back at once, the files with the most copies elsewhere first, after
// git-annex checked the archive's copy of each.
func TestLowerBudgetDropsMostReplicatedFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 12, func(int) int { return 16 << 10 })
	h := w.join("donor", w.total()*2)
	a := newAgent(t, h, Options{})
	ev := collectEvents(t, a)
	ctx := context.Background()
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	repo := a.cfg.Shards[0].Path
	copies := map[annex.Key]int{}
	for rel := range w.files {
		i, _ := strconv.Atoi(rel[len(rel)-7 : len(rel)-4])
		k := keyOfPath(t, repo, rel)
		copies[k] = i % 4
		setCopies(t, repo, k, i%4)
	}
	if n := len(heldKeys(t, repo)); n != 12 {
		t.Fatalf("holds %d files before lowering the budget, want 12", n)
	}
	used, _ := diskUse(repo)
	perFile := used / 12 // what one object takes on disk
	newLimits := control.Limits{MaxBytes: 5 * perFile}
	plan, err := a.PreviewBudget(ctx, newLimits)
	if err != nil {
		t.Fatal(err)
	}
	if plan.ReleaseFiles != 7 || plan.Budget.EffectiveBytes != 5*perFile {
		t.Errorf("preview %+v, want 7 files to give back", plan)
	}
	if _, err := a.SetBudget(ctx, newLimits); err != nil {
		t.Fatal(err)
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}

	held := heldKeys(t, repo)
	if len(held) != 5 {
		t.Fatalf("holds %d files after lowering the budget to 5 files' worth", len(held))
	}
	for k, c := range copies {
		if c >= 2 && held[k] {
			t.Errorf("kept %s with %d copies elsewhere", k, c)
		}
		if c == 0 && !held[k] {
			t.Errorf("dropped %s, which had no other copy, while better-replicated files were held", k)
		}
	}
	checkDropOrder(t, ev)
	heads := 0
	w.origin.set(func(o *origin) {
		for _, n := range o.heads {
			heads += n
		}
	})
	if heads < 7 {
		t.Errorf("the archive's copy was checked %d times for 7 drops", heads)
	}
	st, _ := a.Status(ctx)
	if st.Budget.Disk.UsedByShardkeeper > st.BudgetBytes || st.Releasing != nil {
		t.Errorf("after giving back: %d used of %d, releasing %v", st.Budget.Disk.UsedByShardkeeper, st.BudgetBytes, st.Releasing)
	}
	checkReleaseWaitsForTheArchive(t, w, a, held)
}

// checkDropOrder: the drop events name the copies elsewhere, most first.
func checkDropOrder(t *testing.T, ev *events) {
	t.Helper()
	var order []int
	re := regexp.MustCompile(`; (\d+) other donor copies`)
	for _, e := range ev.of(control.EventDropped) {
		m := re.FindStringSubmatch(e.Message)
		if m == nil {
			t.Fatalf("drop event without copies: %q", e.Message)
		}
		n, _ := strconv.Atoi(m[1])
		order = append(order, n)
	}
	t.Logf("copies elsewhere of the dropped files, in order: %v", order)
	for i := 1; i < len(order); i++ {
		if order[i] > order[i-1] {
			t.Errorf("dropped a file with %d copies after one with %d", order[i], order[i-1])
		}
	}
}

// checkReleaseWaitsForTheArchive: when the archive does not confirm its
// copy, nothing is dropped; once it does, a released file goes and is not
// fetched again, even with room for it.
func checkReleaseWaitsForTheArchive(t *testing.T, w *world, a *Agent, held map[annex.Key]bool) {
	t.Helper()
	ctx := context.Background()
	repo := a.cfg.Shards[0].Path
	var kept string
	for rel := range w.files {
		if held[keyOfPath(t, repo, rel)] {
			kept = rel
			break
		}
	}
	w.origin.set(func(o *origin) { o.status[kept] = 503 })
	err := a.Release(ctx, "", kept)
	if err == nil || !strings.Contains(err.Error(), "archive") {
		t.Errorf("release with the archive answering 503: %v", err)
	}
	if !heldKeys(t, repo)[keyOfPath(t, repo, kept)] {
		t.Errorf("%s dropped although the archive's copy could not be checked", kept)
	}
	w.origin.set(func(o *origin) { delete(o.status, kept) })
	if err := a.Release(ctx, "", kept); err != nil {
		t.Fatal(err)
	}
	if heldKeys(t, repo)[keyOfPath(t, repo, kept)] {
		t.Errorf("%s still held after release", kept)
	}
	// A released file is not fetched again, even with room for it.
	if _, err := a.SetBudget(ctx, control.Limits{MaxBytes: w.total() * 2}); err != nil {
		t.Fatal(err)
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if heldKeys(t, repo)[keyOfPath(t, repo, kept)] {
		t.Errorf("released file %s was fetched again", kept)
	}
}
