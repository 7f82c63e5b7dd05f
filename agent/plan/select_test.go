package plan

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// referencePlan is the planner as it was before the order was computed
// once and selected with a heap: every candidate, then one full sort with
// the comparator on the candidates' own fields, then the files taken in
// that order while they fit; with in.Limit, the first Limit of them.
func referencePlan(in PlanInput) Plan {
	cost := in.Cost
	if cost == nil {
		cost = func(size int64) int64 { return size }
	}
	var cands []Candidate
	elsewhere := 0
	for k, lines := range in.Loc.Logs {
		if in.Held[k] || (in.Exclude != nil && in.Exclude(k)) || (in.Current != nil && !in.Current(k)) {
			continue
		}
		copies := in.Loc.Copies(k, in.Donor)
		size, ok := k.Size()
		if copies >= in.Target || !ok || (in.MaxFileBytes > 0 && size > in.MaxFileBytes) {
			continue
		}
		inRegion := in.Places.inRegion(in.Loc, lines, in.Donor)
		if in.Places.crowded(lines, inRegion, in.Target) {
			elsewhere++
			continue
		}
		_, partial := in.Partial[k]
		cands = append(cands, Candidate{Key: k, Size: size, Copies: copies, Partial: partial, InRegion: inRegion, rank: rankOf(in.Donor, k)})
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.Partial != b.Partial {
			return a.Partial
		}
		if a.Copies != b.Copies {
			return a.Copies < b.Copies
		}
		if a.InRegion != b.InRegion {
			return a.InRegion < b.InRegion
		}
		if in.MaxFileBytes > 0 && a.Size != b.Size {
			return a.Size > b.Size
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.Key < b.Key
	})
	p := Plan{Wanted: len(cands), Elsewhere: elsewhere}
	for _, c := range cands {
		if in.Limit > 0 && len(p.Fetch) == in.Limit {
			break
		}
		need := max(cost(c.Size)-in.Partial[c.Key], 0)
		if need <= in.Room-p.FetchBytes {
			p.Fetch = append(p.Fetch, c)
			p.FetchBytes += need
		} else if p.SmallestLeft == 0 || c.Size < p.SmallestLeft {
			p.SmallestLeft = c.Size
		}
	}
	return p
}

// randomInput is a shard of n keys with every kind of tie: few sizes,
// copies 0 to 3 (some stale lines of the donor's own, some dead donors),
// partial downloads, held and excluded keys, donors in two regions.
func randomInput(r *rand.Rand, n int) PlanInput {
	now := time.Unix(1_800_000_000, 0)
	loc := annex.NewLocations()
	loc.Trust["donor-3"] = annex.TrustEntry{Level: annex.TrustDead}
	in := PlanInput{Loc: loc, Donor: "me", Held: map[annex.Key]bool{}, Partial: map[annex.Key]int64{}, Target: 3}
	for i := range n {
		size := int64(10 * (1 + r.IntN(4)))
		k := annex.Key(fmt.Sprintf("SHA256E-s%d--%064x.bin", size, r.IntN(4*n+1)))
		lines := []annex.LogLine{{Status: annex.StatusPresent, Value: annex.WebUUID}}
		for _, d := range []string{"me", "donor-0", "donor-1", "donor-2", "donor-3"} {
			if r.IntN(3) == 0 {
				lines = append(lines, annex.LogLine{Status: annex.StatusPresent, Value: d, Time: annex.TimestampOf(now.Add(-time.Duration(r.IntN(48)) * time.Hour))})
			}
		}
		loc.Logs[k] = lines
		switch r.IntN(10) {
		case 0:
			in.Held[k] = true
		case 1:
			in.Partial[k] = int64(i % 7)
		}
	}
	in.Room = int64(r.IntN(40 * n))
	if r.IntN(2) == 0 {
		in.MaxFileBytes = 30
	}
	if r.IntN(2) == 0 {
		in.Exclude = func(k annex.Key) bool { return len(k)%5 == 0 }
	}
	if r.IntN(2) == 0 {
		in.Cost = func(size int64) int64 { return size + 3 }
	}
	if r.IntN(2) == 0 {
		g := annex.GroupLog{}
		g.Merge([]byte("donor-0 region-europe timestamp=1s\ndonor-1 region-europe timestamp=1s\ndonor-2 region-asia timestamp=1s\n"))
		in.Places = &Places{Region: "europe", Groups: g, Now: now}
	}
	return in
}

// TestSelectionIsTheFullSortsOrder: on random shards with ties of every
// kind (and of the rank too, made coarse), the plan, whole or limited,
// is exactly what the plain full sort gives.
func TestSelectionIsTheFullSortsOrder(t *testing.T) {
	defer func(f func(string, annex.Key) uint64) { rankOf = f }(rankOf)
	r := rand.New(rand.NewPCG(11, 12))
	for run := range 400 {
		rankOf = donorOrder
		if run%2 == 1 {
			rankOf = func(d string, k annex.Key) uint64 { return donorOrder(d, k) % 3 } // ties: the key decides
		}
		in := randomInput(r, 1+r.IntN(300))
		for _, limit := range []int{0, 1, 7, 25, 1000} {
			in.Limit = limit
			got, want := MakePlanFrom(in), referencePlan(in)
			if !slices.Equal(got.Fetch, want.Fetch) || got.FetchBytes != want.FetchBytes || got.Wanted != want.Wanted ||
				got.Elsewhere != want.Elsewhere || got.SmallestLeft != want.SmallestLeft {
				t.Fatalf("run %d, limit %d: the plan differs from the full sort's\ngot  %+v\nwant %+v", run, limit, got, want)
			}
		}
	}
}
