package agent

import (
	"fmt"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

// locs builds locations where key i (size sizes[i]) has copies[i] donors.
func locs(sizes, copies []int) (*annex.Locations, []annex.Key) {
	loc := &annex.Locations{Logs: map[annex.Key][]annex.LogLine{}, Trust: map[string]byte{}}
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

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1048576, "50GB": 50e9, "1.5 TiB": 1649267441664, "700 MB": 700e6} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"12 parsecs", "", "-5", "GB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}
