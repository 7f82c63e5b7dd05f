//go:build !unix

package agent

import "io/fs"

// inode is unknown here: every file counts.
func inode(fs.FileInfo) (uint64, bool) { return 0, false }
