package plan

import (
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// regionWorld: keys 0..2 each held by donor-0 (in europe) a while ago;
// donor-1 is in north-america. Target 2.
func regionWorld(now time.Time, age time.Duration) (*annex.Locations, []annex.Key, annex.GroupLog) {
	loc, keys := locs([]int{10, 10, 10}, []int{1, 1, 1})
	for _, k := range keys {
		for i := range loc.Logs[k] {
			loc.Logs[k][i].Time = annex.TimestampOf(now.Add(-age))
		}
	}
	g := annex.GroupLog{}
	g.Merge([]byte("donor-0 region-europe timestamp=1s\ndonor-1 region-north-america timestamp=1s\n"))
	return loc, keys, g
}

// TestPlanSpreadsOverRegions: a donor in europe leaves files that already
// have europe's share of copies to a donor elsewhere while others could
// still take them, and takes them after RegionPatience; a donor in
// north-america takes them at once.
func TestPlanSpreadsOverRegions(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	loc, _, g := regionWorld(now, time.Hour)
	in := PlanInput{Loc: loc, Donor: "me", Target: 2, Room: 100}
	in.Places = &Places{Region: "europe", Groups: g, Now: now}
	if p := MakePlanFrom(in); len(p.Fetch) != 0 || p.Elsewhere != 3 {
		t.Errorf("europe donor: fetch %d, elsewhere %d; want 0 and 3", len(p.Fetch), p.Elsewhere)
	}
	in.Places = &Places{Region: "north-america", Groups: g, Now: now}
	if p := MakePlanFrom(in); len(p.Fetch) != 3 {
		t.Errorf("north-america donor fetches %d, want 3", len(p.Fetch))
	}
	loc, _, g = regionWorld(now, RegionPatience+time.Minute)
	in.Loc = loc
	in.Places = &Places{Region: "europe", Groups: g, Now: now}
	if p := MakePlanFrom(in); len(p.Fetch) != 3 {
		t.Errorf("europe donor after the patience fetches %d, want 3", len(p.Fetch))
	}
	// With only one region among the shard's donors, nothing waits.
	one := annex.GroupLog{}
	one.Merge([]byte("donor-0 region-europe timestamp=1s\n"))
	loc, _, _ = regionWorld(now, time.Hour)
	in.Loc = loc
	in.Places = &Places{Region: "europe", Groups: one, Now: now}
	if p := MakePlanFrom(in); len(p.Fetch) != 3 {
		t.Errorf("single region: fetch %d, want 3", len(p.Fetch))
	}
}

// TestPlanPrefersFilesWithoutCopyInRegion: among equally rare files, one
// with no copy in the donor's region comes first.
func TestPlanPrefersFilesWithoutCopyInRegion(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	loc, keys, g := regionWorld(now, time.Hour)
	loc.Logs[keys[1]][1].Value = "donor-1" // keys[1]'s copy is in north-america
	in := PlanInput{Loc: loc, Donor: "me", Target: 3, Room: 10, Places: &Places{Region: "europe", Groups: g, Now: now}}
	p := MakePlanFrom(in)
	if len(p.Fetch) != 1 || p.Fetch[0].Key != keys[1] {
		t.Errorf("fetch %+v, want %s (no copy in europe)", p.Fetch, keys[1])
	}
}

// TestPlanLargeFiles: a file bigger than the room never blocks the
// smaller ones; an opted-in donor takes the largest first and nothing over
// its limit; removed files (not in the current tree) are not fetched.
func TestPlanLargeFiles(t *testing.T) {
	loc, keys := locs([]int{1000, 10, 20, 30}, []int{0, 0, 0, 0})
	p := MakePlanFrom(PlanInput{Loc: loc, Donor: "me", Target: 2, Room: 100})
	if len(p.Fetch) != 3 || p.SmallestLeft != 1000 {
		t.Errorf("small room: fetch %d (smallest left %d), want the 3 small files", len(p.Fetch), p.SmallestLeft)
	}
	p = MakePlanFrom(PlanInput{Loc: loc, Donor: "me", Target: 2, Room: 5000, MaxFileBytes: 2000})
	if len(p.Fetch) != 4 || p.Fetch[0].Key != keys[0] || p.Fetch[1].Key != keys[3] {
		t.Errorf("opted in: fetch %+v, want the largest first", p.Fetch)
	}
	p = MakePlanFrom(PlanInput{Loc: loc, Donor: "me", Target: 2, Room: 5000, MaxFileBytes: 500})
	if len(p.Fetch) != 3 {
		t.Errorf("opted in up to 500 bytes: fetch %d, want 3", len(p.Fetch))
	}
	current := func(k annex.Key) bool { return k != keys[1] }
	p = MakePlanFrom(PlanInput{Loc: loc, Donor: "me", Target: 2, Room: 100, Current: current})
	if len(p.Fetch) != 2 {
		t.Errorf("a removed file: fetch %d, want 2", len(p.Fetch))
	}
}
