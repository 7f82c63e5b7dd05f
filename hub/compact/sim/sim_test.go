package sim

import (
	"context"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestShortSimulation plays three months of a small shard, with every
// donor push judged by the hub's real audit, with and without compaction:
// the compacted shard keeps its health and is smaller.
func TestShortSimulation(t *testing.T) {
	var runs [2][]Month
	for i, compacting := range []bool{false, true} {
		res, err := Run(context.Background(), Config{Keys: 300, Donors: 6, Months: 3, Compact: compacting, Audit: true, Dir: t.TempDir(), Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		runs[i] = res
	}
	before, after := runs[0], runs[1]
	if len(after) != 4 || after[3].Covered == 0 || after[3].Lines == 0 {
		t.Fatalf("the simulation did nothing: %+v", after)
	}
	for m := range after {
		if before[m].Covered != after[m].Covered {
			t.Errorf("month %d: %d files at 3+ copies without compaction, %d with", m, before[m].Covered, after[m].Covered)
		}
	}
	if after[3].RepoBytes >= before[3].RepoBytes {
		t.Errorf("compacted repository %d bytes, uncompacted %d", after[3].RepoBytes, before[3].RepoBytes)
	}
	var b strings.Builder
	Table(&b, before, after)
	WriteGoals(&b, Goals(after, 300))
	if !strings.Contains(b.String(), "| 3 |") || !strings.Contains(b.String(), "fresh clone") {
		t.Errorf("table:\n%s", b.String())
	}
}
