//go:build !unix

package agent

import "io/fs"

// diskUsage is the file's size where the OS does not tell allocated
// blocks through os.Stat (Windows).
func diskUsage(fi fs.FileInfo) int64 { return fi.Size() }
