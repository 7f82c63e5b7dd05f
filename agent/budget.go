package agent

import (
	"github.com/shardkeeper/shardkeeper/agent/control"
)

// DiskInfo is the drive that holds the storage folder.
type DiskInfo struct {
	Total, Avail int64 // bytes; Avail is what this user may still write
	Block        int64 // allocation unit (for reservations)
}

// ComputeBudget applies the donor's limits to the drive: each limit gives
// a number of bytes Shardkeeper may use, and the smallest wins. used is
// what Shardkeeper uses now (keep-free counts it as reclaimable).
// diskKnown is false where free space cannot be read; then only MaxBytes
// applies.
func ComputeBudget(l control.Limits, disk DiskInfo, diskKnown bool, used int64) control.Budget {
	b := control.Budget{Limits: l, EffectiveBytes: -1}
	try := func(bind string, n int64) {
		n = max(n, 0)
		if b.EffectiveBytes < 0 || n < b.EffectiveBytes {
			b.EffectiveBytes, b.Binding = n, bind
		}
	}
	if l.MaxBytes > 0 {
		try(control.BindMaxBytes, l.MaxBytes)
	}
	if diskKnown {
		if l.KeepFreeBytes > 0 {
			try(control.BindKeepFree, used+disk.Avail-l.KeepFreeBytes)
		}
		if l.MaxPercent > 0 {
			try(control.BindMaxPercent, int64(float64(disk.Total)*l.MaxPercent/100))
		}
		b.Disk = control.Disk{TotalBytes: disk.Total, AvailableBytes: disk.Avail, UsedByShardkeeper: used,
			UsedByOthers: max(disk.Total-disk.Avail-used, 0)}
	} else {
		b.Disk = control.Disk{UsedByShardkeeper: used}
	}
	if b.EffectiveBytes < 0 { // no limit applies (unknown disk): nothing may be used
		b.EffectiveBytes, b.Binding = 0, control.BindMaxBytes
	}
	return b
}

// CheckLimits refuses limits that make no sense, in words a donor reads.
func CheckLimits(l control.Limits) error {
	switch {
	case l.MaxBytes < 0 || l.KeepFreeBytes < 0 || l.MaxPercent < 0:
		return control.Invalidf("limits cannot be negative")
	case l.MaxPercent > 100:
		return control.Invalidf("--max-percent is at most 100")
	case l.MaxBytes == 0 && l.KeepFreeBytes == 0 && l.MaxPercent == 0:
		return control.Invalidf("set at least one limit (--max, --keep-free or --max-percent)")
	}
	return nil
}

// reserveFor is the space a download of size bytes may take before it is
// done: whole blocks, a little for the filesystem's own bookkeeping of
// large files, and one spare block.
func reserveFor(size, block int64) int64 {
	if block <= 0 {
		block = 4096
	}
	n := size + size/1024
	return (n+block-1)/block*block + block
}

// expectedUsage is what a finished download of size bytes will most likely
// take on disk: whole blocks. Plans rank files by it; admission reserves the
// safer reserveFor, so the budget still holds while downloads run. Planning
// with the reservation instead would top a plan up with common files while
// a rare one only seemed not to fit.
func expectedUsage(size, block int64) int64 {
	if block <= 0 {
		block = 4096
	}
	return (size + block - 1) / block * block
}
