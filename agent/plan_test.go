package agent

import (
	"fmt"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

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

func TestLedgerAdmitsOnlyWhatFits(t *testing.T) {
	l := newLedger()
	l.budget = 3 * 8192
	ref := func(i int) objRef { return objRef{"s", annex.Key(fmt.Sprintf("k%d", i))} }
	if !l.admit(ref(1), 4096) || !l.admit(ref(2), 4000) {
		t.Fatal("two small downloads refused")
	}
	if l.admit(ref(3), 4096) {
		t.Fatalf("a third admitted: %d reserved of %d", l.used(), l.budget)
	}
	l.finish(ref(1), object{size: 4096, usage: 4096}, 0)
	if !l.admit(ref(3), 4096) {
		t.Errorf("refused after a download finished smaller than reserved")
	}
	l.finish(ref(2), object{}, 2048) // failed, a partial stays
	if l.used() != 4096+2048+reserveFor(4096, 4096) || l.partial[ref(2)] != 2048 {
		t.Errorf("used %d after a failure", l.used())
	}
}

func TestFailureBackoffGrowsThenSkips(t *testing.T) {
	b := failureBook{Keys: map[string]*failure{}}
	now := time.Now()
	var waits []time.Duration
	for i := 0; i < maxTries; i++ {
		f := b.failed("s", "k", "503", now)
		waits = append(waits, f.NextTry.Sub(now))
		if f.Skipped != (i == maxTries-1) {
			t.Errorf("try %d: skipped=%v", i+1, f.Skipped)
		}
	}
	if waits[0] < retryBase/2 || waits[1] < 4*retryBase/2 || waits[2] < skipFor/2 {
		t.Errorf("waits %v", waits)
	}
	if !b.waiting("k", now.Add(time.Hour)) || b.skipped(now) != 1 {
		t.Error("a skipped file is tried again within the hour")
	}
	started := false
	for i := 0; i < busyStreak; i++ {
		started = b.answer(503, 0, false, now) || started
	}
	if !started || !now.Before(b.Host.Until) {
		t.Errorf("three 503s in a row did not pause downloads: %+v", b.Host)
	}
	b.answer(200, 0, false, now)
	if b.Host.Streak != 0 || b.Host.Level != 0 {
		t.Errorf("a success did not reset the backoff: %+v", b.Host)
	}
	if classify([]string{"  http://x/y download failed: Too Many Requests"}, "") != "busy" ||
		classify(nil, "not enough free space, need 5 MB more") != "space" || classify([]string{"Not Found"}, "") != "file" {
		t.Error("classify")
	}
}
