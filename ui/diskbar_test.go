package ui

import (
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestSplitDisk(t *testing.T) {
	b := *sampleStatus().Budget
	p := splitDisk(b)
	want := diskParts{shardkeeper: 12e9, free: 378e9, reserved: 30e9, others: 580e9}
	if p != want {
		t.Errorf("splitDisk = %+v, want %+v", p, want)
	}
	if p.total() != b.Disk.TotalBytes {
		t.Errorf("parts add up to %d, not the drive's %d", p.total(), b.Disk.TotalBytes)
	}
	if u := usableBytes(b); u != 400e9 {
		t.Errorf("usableBytes = %d, want 400e9", u)
	}

	// Keeping more free than is available reserves all of it, never more.
	b.KeepFreeBytes = 500e9
	if p := splitDisk(b); p.free != 0 || p.reserved != 408e9 {
		t.Errorf("keep-free beyond available: %+v", p)
	}
	// A drive the agent could not measure is all zeros, not negative.
	if p := splitDisk(control.Budget{}); p != (diskParts{}) {
		t.Errorf("unmeasured drive: %+v", p)
	}
}

// The drive's bar is linear: each part's share of the drive.
func TestDiskFracs(t *testing.T) {
	got := diskFracs(diskParts{shardkeeper: 12e9, free: 378e9, reserved: 30e9, others: 580e9})
	want := []float64{0.012, 0.378, 0.03, 0.58}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("diskFracs = %v, want %v", got, want)
			break
		}
	}
	if got := diskFracs(diskParts{}); got[0] != 0 || got[3] != 0 {
		t.Errorf("an unmeasured drive: %v", got)
	}
}
