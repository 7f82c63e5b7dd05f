package ui

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// FreeSpace is how many bytes this user may still write on the drive that
// holds path. The wizard asks before the folder exists, so it measures the
// nearest folder above that does.
func FreeSpace(path string) (int64, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return 0, err
	}
	for {
		if _, err := os.Stat(p); err == nil {
			return availableBytes(p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return 0, err
		}
		up := filepath.Dir(p)
		if up == p {
			return 0, errors.New("no folder of " + path + " exists")
		}
		p = up
	}
}
