// Collections and regions end to end: the hub's collections and
// region-aware assignment, the agent's choice and its region-first plan.

package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// donorRegions reads group.log as the hub has it from every donor's push
// (each donor's ref, and the hub's own branch): donor UUID -> region.
func donorRegions(t *testing.T, shardRepo string) annex.GroupLog {
	t.Helper()
	refs, err := exec.Command("git", "-C", shardRepo, "for-each-ref", "--format=%(refname)", "refs/heads/").Output()
	if err != nil {
		t.Fatalf("list the refs of %s: %v", shardRepo, err)
	}
	g := annex.GroupLog{}
	for _, ref := range strings.Fields(string(refs)) {
		if out, err := exec.Command("git", "-C", shardRepo, "cat-file", "-p", ref+":group.log").Output(); err == nil {
			g.Merge(out)
		}
	}
	return g
}

// TestSixDonorsTwoRegions: six donors, three in europe and three in
// north-america, target 2 copies, room everywhere, and the europe donors
// fill first (the worst order for piling up): every file's two copies are
// in different regions.
func TestSixDonorsTwoRegions(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	total := makeCollection(t, coll, 24, 41)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data, "--target-copies", "2")

	type donor struct{ home, repo, region, uuid string }
	var donors []donor
	for i, region := range []string{"europe", "europe", "europe", "north-america", "north-america", "north-america"} {
		home, repo := joinDonor(t, tmp, hub, fmt.Sprintf("d%d", i), 4*total, "--region", region)
		donors = append(donors, donor{home: home, repo: repo, region: region, uuid: readDonor(t, home).DonorUUID})
	}
	for _, d := range donors {
		untilIdle(t, d.home)
	}
	// The hub's branch says where every donor is, as each pushed it.
	regions := donorRegions(t, shard.RepoDir(data, filepath.Base(donors[0].repo)))
	keys := allKeys(t, donors[0].repo)
	spread := 0
	for _, k := range keys {
		var where []string
		for _, d := range donors {
			if holds(d.repo, k) {
				where = append(where, d.region)
				if r := regions.Region(d.uuid); r != d.region {
					t.Errorf("group.log puts donor %s in %q, want %q", d.uuid, r, d.region)
				}
			}
		}
		if len(where) == 2 && where[0] != where[1] {
			spread++
		} else {
			t.Errorf("%s: copies in %v, want two in different regions", k, where)
		}
	}
	t.Logf("%d files, %d of them with their 2 copies in two different regions", len(keys), spread)
	if len(keys) != 24 || spread != 24 {
		t.Fatalf("%d of %d files spread over both regions, want 24 of 24", spread, len(keys))
	}
}

// TestJoinCollection: a hub with two collections; `join --collection B`
// gets a shard of B, `shards add --collection A` one of A, and `shards`
// lists both with their collections; an unknown collection is one line
// naming the hub's collections.
func TestJoinCollection(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "hub")
	for i, c := range []string{"A", "B"} {
		dir := filepath.Join(tmp, "coll-"+c)
		makeCollection(t, dir, 8, int64(50+i))
		mustRun(t, shardhubBin, "build", "--from-dir", dir, "--base-url", serveOrigin(t, dir), "--out", data, "--collection", c)
	}
	hub := startHub(t, data)

	r := run(t, shardkeeperBin, "join", "--home", filepath.Join(tmp, "x-home"), "--hub", hub, "--storage", filepath.Join(tmp, "x-store"),
		"--budget", "10MB", "--collection", "nope")
	oneLineError(t, "join an unknown collection", r, `no collection "nope"`, "--collection")

	home, _ := joinDonor(t, tmp, hub, "b", 10<<20, "--collection", "B")
	list := mustRun(t, shardkeeperBin, "shards", "--home", home).Stdout
	if !strings.Contains(list, " B ") {
		t.Fatalf("shards after join --collection B:\n%s", list)
	}
	mustRun(t, shardkeeperBin, "shards", "add", "--home", home, "--collection", "A")
	list = mustRun(t, shardkeeperBin, "shards", "--home", home).Stdout
	if !strings.Contains(list, " A ") || !strings.Contains(list, " B ") {
		t.Fatalf("shards after shards add --collection A:\n%s", list)
	}
	t.Logf("shards:\n%s", list)
}
