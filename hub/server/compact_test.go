package server

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/compact"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestCompactionUnderThreeDonors compacts a shard that three donors with
// real git-annex use: their next fetches and pushes work, each whereis
// says what it said before, the health report is unchanged, and a fresh
// clone fetches less than before.
func TestCompactionUnderThreeDonors(t *testing.T) {
	h := oneShardHub(t)
	alice, bob, carol := started(t, h, "alice"), h.join(t, "bob"), h.join(t, "carol")
	bob.get("b b.bin", "c/d.txt")
	carol.get("a.txt", "e.txt")
	for range 3 { // history: re-stated verifications, merged and pushed
		for _, d := range []*donor{alice, bob, carol} {
			d.sync()
			d.restate(map[*donor]string{alice: "a.txt", bob: "b b.bin", carol: "e.txt"}[d])
			d.accepted("")
		}
	}
	for _, d := range []*donor{alice, bob, carol} {
		d.sync()
	}
	whereis := map[*donor]string{}
	for _, d := range []*donor{alice, bob, carol} {
		whereis[d] = d.annex("whereis")
	}
	health := h.healthJSON(t)
	cloneBefore := h.cloneSize(t)

	// bob has a change of his own not yet pushed when the hub compacts.
	bob.restate("c/d.txt")
	res, err := compact.DataDir(context.Background(), h.data, "", compact.Options{PruneExpire: "now"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Skipped || res[0].DonorRefs != 3 {
		t.Fatalf("compaction did %+v", res)
	}
	head := h.refOf(t, "refs/heads/git-annex")
	for _, d := range []*donor{alice, bob, carol} {
		if got := h.refOf(t, d.ref()); got != head {
			t.Errorf("%s's ref is %s after compaction, want the compacted branch %s", d.reg.UUID, got, head)
		}
	}
	if got := h.healthJSON(t); got != health {
		t.Errorf("health changed by compaction:\nbefore %s\nafter  %s", health, got)
	}

	// bob pushes the old history he has: git refuses (not a fast-forward);
	// after his next fetch and merge git-annex follows the transition and
	// the push lands.
	if out, err := bob.push("git-annex:" + bob.ref()); err == nil || !strings.Contains(out, "rejected") {
		t.Errorf("a push of the old history was not refused as a non-fast-forward: %v\n%s", err, out)
	}
	for _, d := range []*donor{alice, bob, carol} {
		d.sync()
		if parents := d.git("log", "-1", "--format=%P", "git-annex"); !strings.Contains(parents, head) {
			t.Errorf("%s: git-annex's branch did not follow the hub's transition (parents %q, hub %s)", d.reg.UUID, parents, head)
		}
		if !strings.Contains(d.show("git-annex", compact.TransitionsLog), compact.ForgetGitHistory) {
			t.Errorf("%s: no transition recorded", d.reg.UUID)
		}
		if got := d.annex("whereis"); got != whereis[d] {
			t.Errorf("%s: whereis changed by compaction:\nbefore %s\nafter  %s", d.reg.UUID, whereis[d], got)
		}
	}
	bob.accepted("") // his re-stated line, on top of the transition
	carol.get("c/d.txt")
	carol.annex("merge", "-q")
	carol.accepted("")
	alice.goodPush("a.txt")
	for _, d := range []*donor{alice, bob, carol} {
		d.sync()
		if got := d.annex("whereis", "--key", string(d.key("c/d.txt"))); !strings.Contains(got, "carol") || !strings.Contains(got, "bob") {
			t.Errorf("%s does not see carol's new copy after compaction:\n%s", d.reg.UUID, got)
		}
	}

	if after := h.cloneSize(t); after >= cloneBefore {
		t.Errorf("a fresh clone after compaction fetches %d bytes, before it %d: want less", after, cloneBefore)
	}
}

// healthJSON is the hub's health report without its time.
func (h hub) healthJSON(t *testing.T) string {
	t.Helper()
	resp := h.get(t, "/api/v1/health")
	var r map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	delete(r, "generated_at")
	out, _ := json.Marshal(r)
	return string(out)
}

// cloneSize is the bytes a fresh clone of the shard fetches over smart
// HTTP (its pack, as git count-objects sizes it).
func (h hub) cloneSize(t *testing.T) int64 {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clone.git")
	testkit.Run(t, testkit.HandEnv(t), "", "git", "clone", "-q", "--bare", h.url+"/git/shard-0001.git", dir)
	n, err := compact.Size(context.Background(), annex.Git{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a fresh clone fetched %s bytes", strconv.FormatInt(n, 10))
	return n
}
