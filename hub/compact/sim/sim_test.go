package sim

import (
	"context"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestShortSimulation plays three months of a small shard (joins, fills,
// verifications, check-ins, a donor leaving, one going silent) with
// monthly compaction, every donor push judged by the hub's real audit.
func TestShortSimulation(t *testing.T) {
	res, err := Run(context.Background(), Config{Keys: 100, Donors: 6, Months: 3, Compact: true, Audit: true, Dir: t.TempDir(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || res[3].Covered == 0 || res[3].Lines == 0 || res[3].CloneBytes <= 0 {
		t.Fatalf("the simulation did nothing: %+v", res)
	}
	var b strings.Builder
	Table(&b, nil, res)
	WriteGoals(&b, Goals(res, 100))
	if !strings.Contains(b.String(), "| 3 |") || !strings.Contains(b.String(), "fresh clone") {
		t.Errorf("table:\n%s", b.String())
	}
}
