//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package agent

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// statDisk reports the drive that holds path.
func statDisk(path string) (DiskInfo, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return DiskInfo{}, fmt.Errorf("read free space of %s: %w", path, err)
	}
	bs := int64(st.Bsize)
	return DiskInfo{Total: int64(st.Blocks) * bs, Avail: int64(st.Bavail) * bs, Block: bs}, nil
}
