package ledger

import "testing"

// TestGrowthRoomScales: the room grows with the shard, from about a
// megabyte (git's loose objects before gc.auto packs them) for a tiny
// shard to what a 100k-file shard's git-annex index and branch need.
func TestGrowthRoomScales(t *testing.T) {
	tiny := GrowthRoom(40, 40*AnnexIndexPerFile, 0, 4096)
	big := GrowthRoom(100_000, 35<<20, 0, 4096)
	if tiny > 3<<19 || tiny < LooseBlocks*4096 {
		t.Errorf("a 40-file shard keeps %d bytes free", tiny)
	}
	if big < 40<<20 || big > 50<<20 {
		t.Errorf("a 100k-file shard keeps %d bytes free; its git-annex index alone is 35 MB", big)
	}
	if GrowthRoom(0, 0, 0, 4096) != LooseBlocks*4096 {
		t.Errorf("an empty shard keeps %d bytes", GrowthRoom(0, 0, 0, 4096))
	}
	// Loose objects written since use up their part of the room.
	if used := big - GrowthRoom(100_000, 35<<20, 100, 4096); used != 100*4096 {
		t.Errorf("100 loose objects took %d bytes of the room", used)
	}
	if GrowthRoom(100_000, 35<<20, 1000, 4096) != GrowthRoom(100_000, 35<<20, LooseBlocks, 4096) {
		t.Errorf("more loose objects than gc.auto allows left a negative room")
	}
}

// TestAdmitKeepsTheRoom: a download is admitted only while the growth room
// stays free, under the budget and under its location's cap.
func TestAdmitKeepsTheRoom(t *testing.T) {
	l := New()
	l.SetLimits(100<<10, map[string]int64{"loc": 100 << 10}, map[string]string{"s": "loc"})
	l.SetMeta("loc", 40<<10, 0)
	l.SetRoom("loc", 40<<10)
	if l.Admit(Ref{Shard: "s", Key: "SHA256E-s8192--a"}, 8192) {
		t.Errorf("admitted 8 KiB (+%d growth) with 20 KiB left beside the room", MetaGrowthBlocks*4096)
	}
	l.SetRoom("loc", 0)
	if !l.Admit(Ref{Shard: "s", Key: "SHA256E-s8192--a"}, 8192) {
		t.Errorf("refused 8 KiB with 60 KiB free and no room kept")
	}
}

// TestRoomLeftKeepsTheGrowthRoom: the room the agent weighs when it picks
// a location for a new shard, or asks for one, leaves the growth room out.
func TestRoomLeftKeepsTheGrowthRoom(t *testing.T) {
	l := New()
	l.SetLimits(100<<10, map[string]int64{"loc": 100 << 10}, map[string]string{"s": "loc"})
	l.SetMeta("loc", 40<<10, 0)
	l.SetRoom("loc", 50<<10)
	if got := l.RoomIn("loc"); got != 10<<10 {
		t.Errorf("RoomIn with 60 KiB under the cap and a 50 KiB growth room: %d, want %d", got, 10<<10)
	}
	if got, _ := l.RoomForFiles(); got != 10<<10 {
		t.Errorf("RoomForFiles: %d, want %d", got, 10<<10)
	}
}

// TestRemovedLocationCountsNoMore: the own files and growth room of a
// location the donor removed leave the budget.
func TestRemovedLocationCountsNoMore(t *testing.T) {
	l := New()
	l.SetLimits(1<<20, nil, nil)
	l.SetMeta("main", 10<<10, 0)
	l.SetRoom("main", 5<<10)
	l.SetMeta("usb", 100<<10, 4096)
	l.SetRoom("usb", 50<<10)
	l.KeepLocations([]string{"main"})
	if got := l.Used(); got != 10<<10 {
		t.Errorf("used after removing usb: %d, want %d", got, 10<<10)
	}
	if got := l.MetaSlack(); got != 5<<10 {
		t.Errorf("growth room after removing usb: %d, want %d", got, 5<<10)
	}
}
