//go:build unix

package agent

import (
	"io/fs"
	"syscall"
)

// inode is a file's inode number, so hard links count once.
func inode(fi fs.FileInfo) (uint64, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino), true
	}
	return 0, false
}
