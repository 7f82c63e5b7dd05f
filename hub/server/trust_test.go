package server

import (
	"context"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

// TestLeavingDonorIsUntrusted: leaving writes "<uuid> 0" to the shard's
// trust.log on the hub's git-annex branch; health stops counting the
// leaver's copies; another donor's git-annex (after fetch and merge) sees
// the leaver untrusted; and both donors' honest pushes, which now carry
// the hub's trust.log change, still pass the audit.
func TestLeavingDonorIsUntrusted(t *testing.T) {
	p := startProofHub(t)
	alice, bob := p.holding(t, "alice", "a.txt"), p.holding(t, "bob", "a.txt")
	if r := p.report(t); r.Shards[0].Copies[2] != 1 {
		t.Fatalf("before leaving: copies %v", r.Shards[0].Copies)
	}
	tip := p.refOf(t, annex.BranchRef)
	if code, _ := alice.api("POST", "/api/v1/donors/"+alice.reg.UUID+"/leave", "{}"); code != 200 {
		t.Fatalf("leave: %d", code)
	}
	after := p.refOf(t, annex.BranchRef)
	if after == tip || p.refOf(t, annex.BranchRef+"~1") != tip {
		t.Fatalf("the git-annex branch did not grow by one commit: %s -> %s", tip, after)
	}
	if r := p.report(t); len(r.Shards[0].Copies) != 2 || r.Shards[0].Copies[1] != 1 {
		t.Errorf("the leaver's copies still count: %v", r.Shards[0].Copies)
	}
	// Leaving again, or the next round, writes nothing more.
	alice.api("POST", "/api/v1/donors/"+alice.reg.UUID+"/leave", "{}")
	p.round(t)
	if p.refOf(t, annex.BranchRef) != after {
		t.Error("trust.log was written twice")
	}

	bob.sync()
	if log := bob.show("git-annex", "trust.log"); !strings.HasPrefix(log, alice.reg.UUID+" 0 timestamp=") {
		t.Errorf("bob's trust.log after merging: %q", log)
	}
	loc, err := annex.ReadLocations(context.Background(), annex.Git{Dir: bob.dir, Env: bob.env}, "refs/heads/git-annex")
	if err != nil {
		t.Fatal(err)
	}
	if loc.Counts(alice.reg.UUID) || !loc.Counts(bob.reg.UUID) || loc.DonorCopies(bob.key("a.txt")) != 1 {
		t.Errorf("bob's view: alice counts %v, copies %d", loc.Counts(alice.reg.UUID), loc.DonorCopies(bob.key("a.txt")))
	}
	bob.goodPush("a.txt")
	alice.sync()
	alice.annex("drop", "-q", "--force", "a.txt")
	alice.annex("merge", "-q")
	alice.accepted("")
}

func TestWithTrust(t *testing.T) {
	now := annex.Timestamp{Sec: 100}
	got, changed := withTrust("u1 1 timestamp=50s\nu2 X timestamp=60s\n", "u1", '0', now)
	if !changed || got != "u2 X timestamp=60s\nu1 0 timestamp=100s\n" {
		t.Errorf("replace: %q %v", got, changed)
	}
	if _, changed := withTrust(got, "u1", '0', now); changed {
		t.Error("an untrusted donor was written again")
	}
	got, _ = withTrust("u1 1 timestamp=200s\n", "u1", '0', now)
	if got != "u1 0 timestamp=201s\n" {
		t.Errorf("a line from the future must still be beaten: %q", got)
	}
	if got, _ := withTrust("", "u1", '0', now); got != "u1 0 timestamp=100s\n" {
		t.Errorf("new file: %q", got)
	}
}
