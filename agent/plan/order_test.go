package plan

import (
	"fmt"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

// TestPlanOrderIsRarestThenDonorRank pins the whole order: fewer copies
// first, and among equally rare files the donor's own rank, the same from
// one plan to the next (a donor resumes where its last batch stopped).
func TestPlanOrderIsRarestThenDonorRank(t *testing.T) {
	sizes, copies := make([]int, 60), make([]int, 60)
	for i := range sizes {
		sizes[i], copies[i] = 1, i%3
	}
	loc, _ := locs(sizes, copies)
	p := MakePlan(loc, "donor-x", nil, 3, 1000)
	if len(p.Fetch) != 60 {
		t.Fatalf("fetch %d files, want all 60", len(p.Fetch))
	}
	for i := 1; i < len(p.Fetch); i++ {
		a, b := p.Fetch[i-1], p.Fetch[i]
		if a.Copies > b.Copies || (a.Copies == b.Copies && donorOrder("donor-x", a.Key) > donorOrder("donor-x", b.Key)) {
			t.Fatalf("files %d and %d out of order: %+v then %+v", i-1, i, a, b)
		}
	}
	again := MakePlan(loc, "donor-x", nil, 3, 1000)
	for i := range p.Fetch {
		if again.Fetch[i].Key != p.Fetch[i].Key {
			t.Fatalf("a second plan differs at %d: %s against %s", i, again.Fetch[i].Key, p.Fetch[i].Key)
		}
	}
}

// BenchmarkPlan100k is one plan of a 100k-file shard where every file
// needs copies and fits, all of it put in order. With -short (make
// bench-smoke) it plans 2,000 files. cpu-ms/op is the process's CPU time
// (GC included), which the machine's load does not inflate as it does
// the wall time.
func BenchmarkPlan100k(b *testing.B) { benchPlan(b, 0) }

// BenchmarkPlan100kBatch is the same plan made for one batch, as the
// agent and scripts/spreadsim make it (Limit: BatchLimit(25)).
func BenchmarkPlan100kBatch(b *testing.B) { benchPlan(b, BatchLimit(25)) }

func benchPlan(b *testing.B, limit int) {
	n := 100000
	if testing.Short() {
		n = 2000
	}
	loc := annex.NewLocations()
	for i := 0; i < n; i++ {
		k := annex.Key(fmt.Sprintf("SHA256E-s%d--%064x.cbz", 1000+i, i))
		loc.Logs[k] = []annex.LogLine{{Status: annex.StatusPresent, Value: annex.WebUUID}}
	}
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		MakePlanFrom(PlanInput{Loc: loc, Donor: "donor-x", Target: 3, Room: 1 << 30, Limit: limit})
	}
	b.ReportMetric(float64(cpuTime()-cpu)/1e6/float64(b.N), "cpu-ms/op")
}

// TestLargePlanLeavesNoWorkingSpacePooled: the working space of a plan of
// many files is not kept for the next plan (an idle agent would hold it
// after its one collection: issue 11's idle memory); a small one is.
func TestLargePlanLeavesNoWorkingSpacePooled(t *testing.T) {
	for _, n := range []int{10, maxPooled + 1} {
		sizes, copies := make([]int, n), make([]int, n)
		for i := range sizes {
			sizes[i] = 1000 + i
		}
		loc, _ := locs(sizes, copies)
		if p := MakePlanFrom(PlanInput{Loc: loc, Donor: "d", Target: 3, Room: 1 << 40, Limit: 25}); len(p.Fetch) != min(n, 25) {
			t.Fatalf("%d files: the plan took %d, want %d", n, len(p.Fetch), min(n, 25))
		}
		s := scratchPool.Get().(*scratch)
		if cap(s.cands) > maxPooled || cap(s.order) > maxPooled {
			t.Errorf("after a plan of %d files the pool keeps room for %d candidates (most: %d)", n, cap(s.cands), maxPooled)
		}
		if len(s.cands) != 0 || len(s.order) != 0 || len(s.picked) != 0 {
			t.Errorf("a pooled working space is not empty: %d candidates", len(s.cands))
		}
	}
}
