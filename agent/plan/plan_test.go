package plan

import (
	"fmt"
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
)

// TestAdmitWaitsForTheRarestWhileDownloadsRun: with a download in flight,
// a rare file that does not fit yet is not passed over for a commoner one
// (the reservation will shrink to real usage); once nothing is in flight,
// a file that really does not fit is passed over.
func TestAdmitWaitsForTheRarestWhileDownloadsRun(t *testing.T) {
	l := ledger.New()
	l.SetContentOnly(true) // content alone, as the figures below
	l.SetLimits(100<<10, nil, nil)
	if !l.Admit(ledger.Ref{Shard: "s", Key: "SHA256E-s61440--running"}, 60<<10) { // 68 KiB reserved
		t.Fatal("the download in flight was not admitted")
	}
	queue := []Candidate{
		{Key: annex.Key("SHA256E-s40960--rare"), Size: 40 << 10, Copies: 0},
		{Key: annex.Key("SHA256E-s8192--common"), Size: 8 << 10, Copies: 1},
	}
	if i := AdmitFirst(l, "s", queue, false); i != -1 {
		t.Fatalf("with a download in flight, admitted queue[%d] past the rarest file", i)
	}
	if i := AdmitFirst(l, "s", queue, true); i != 1 {
		t.Fatalf("with nothing in flight, admitted %d; want the common file that fits (1)", i)
	}
}

// locs builds locations where key i (size sizes[i]) has copies[i] donors.
func locs(sizes, copies []int) (*annex.Locations, []annex.Key) {
	loc := &annex.Locations{Logs: map[annex.Key][]annex.LogLine{}, Trust: annex.TrustLog{}}
	var keys []annex.Key
	for i, s := range sizes {
		k := annex.Key(fmt.Sprintf("SHA256E-s%d--%064x.bin", s, i))
		lines := []annex.LogLine{{Status: '1', Value: annex.WebUUID}}
		for c := 0; c < copies[i]; c++ {
			lines = append(lines, annex.LogLine{Status: '1', Value: fmt.Sprintf("donor-%d", c)})
		}
		loc.Logs[k] = lines
		keys = append(keys, k)
	}
	return loc, keys
}

func TestPlanRarestFirstWithinRoom(t *testing.T) {
	loc, keys := locs([]int{10, 10, 10, 10}, []int{2, 0, 1, 3})
	p := MakePlan(loc, "me", nil, 3, 20)
	if len(p.Fetch) != 2 || p.Fetch[0].Key != keys[1] || p.Fetch[1].Key != keys[2] {
		t.Fatalf("fetch %+v, want keys 1 then 2 (0 then 1 copies)", p.Fetch)
	}
	if p.Wanted != 3 || p.FetchBytes != 20 || p.SmallestLeft != 10 {
		t.Errorf("plan %+v", p)
	}
}

func TestPlanSkipsHeldAndTooBig(t *testing.T) {
	loc, keys := locs([]int{50, 5, 7}, []int{0, 0, 0})
	held := map[annex.Key]int64{keys[2]: 7}
	p := MakePlan(loc, "me", held, 3, 10)
	if len(p.Fetch) != 1 || p.Fetch[0].Key != keys[1] {
		t.Fatalf("fetch %+v, want only the 5-byte key", p.Fetch)
	}
	if p.SmallestLeft != 50 {
		t.Errorf("smallest left %d, want 50", p.SmallestLeft)
	}
}

func TestPlanOrderDiffersPerDonor(t *testing.T) {
	sizes, copies := make([]int, 100), make([]int, 100)
	for i := range sizes {
		sizes[i] = 1
	}
	loc, _ := locs(sizes, copies)
	a := MakePlan(loc, "donor-a", nil, 3, 10)
	b := MakePlan(loc, "donor-b", nil, 3, 10)
	same := 0
	for i := range a.Fetch {
		for j := range b.Fetch {
			if a.Fetch[i].Key == b.Fetch[j].Key {
				same++
			}
		}
	}
	if same > 5 {
		t.Errorf("two donors picked %d of the same 10 files out of 100", same)
	}
}

func TestPlanResumesPartialsFirstAndSkipsExcluded(t *testing.T) {
	loc, keys := locs([]int{10, 10, 10, 10}, []int{0, 0, 2, 1})
	p := MakePlanFrom(PlanInput{
		Loc: loc, Donor: "me", Target: 3, Room: 100,
		Partial: map[annex.Key]int64{keys[2]: 4},
		Exclude: func(k annex.Key) bool { return k == keys[0] },
		Cost:    func(size int64) int64 { return size * 2 },
	})
	if len(p.Fetch) != 3 || p.Fetch[0].Key != keys[2] || !p.Fetch[0].Partial || p.Fetch[1].Key != keys[1] || p.Fetch[2].Key != keys[3] {
		t.Fatalf("fetch %+v: want the partial first, then rarest, without the excluded key", p.Fetch)
	}
	if p.FetchBytes != 16+20+20 {
		t.Errorf("fetch bytes %d: a partial costs what it still needs", p.FetchBytes)
	}
}
