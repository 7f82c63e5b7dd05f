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
