//go:build !unix

package ledger

import "io/fs"

// DiskUsage is the file's size where the OS does not tell allocated
// blocks through os.Stat (Windows).
func DiskUsage(fi fs.FileInfo) int64 { return fi.Size() }
