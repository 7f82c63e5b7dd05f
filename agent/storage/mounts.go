package storage

import (
	"os"
	"path/filepath"
	"runtime"
)

// DefaultMountRoots are where removable and network drives appear: the
// agent looks under them for a location that is not where it was.
func DefaultMountRoots() []string {
	if runtime.GOOS == "windows" {
		var roots []string
		for c := 'D'; c <= 'Z'; c++ {
			roots = append(roots, string(c)+`:\`)
		}
		return roots
	}
	user := os.Getenv("USER")
	roots := []string{"/mnt", "/Volumes"}
	if user != "" {
		roots = append([]string{filepath.Join("/media", user), filepath.Join("/run/media", user)}, roots...)
	}
	return roots
}
