//go:build unix

package ledger

import (
	"io/fs"
	"syscall"
)

// DiskUsage is the space a file really takes: its allocated blocks, which
// for a partial or sparse download differ from its size.
func DiskUsage(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return fi.Size()
}
