//go:build unix

package shard

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir keeps two builds from updating the same shards at once. The
// lock is the kernel's (flock), so a crashed build leaves none behind.
func lockDataDir(dataDir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dataDir, ".build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another shardhub build is writing to %s: wait for it to finish", dataDir)
		}
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	return func() { f.Close() }, nil
}
