//go:build windows

package agent

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// statDisk reports the drive that holds path.
func statDisk(path string) (DiskInfo, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return DiskInfo{}, err
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return DiskInfo{}, fmt.Errorf("read free space of %s: %w", path, err)
	}
	return DiskInfo{Total: int64(total), Avail: int64(avail), Block: 4096}, nil
}
