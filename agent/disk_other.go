//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly || windows)

package agent

import "errors"

// statDisk is unknown here: only the "use at most SIZE" limit applies.
func statDisk(path string) (DiskInfo, error) {
	return DiskInfo{}, errors.New("free space cannot be read on this system")
}
