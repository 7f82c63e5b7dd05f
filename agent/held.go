package agent

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/shardkeeper/shardkeeper/annex"
)

// HeldObjects lists the annexed objects present in a repository, with
// their sizes, by looking at .git/annex/objects itself: what is on disk is
// the truth, whatever the logs say.
func HeldObjects(repo string) (map[annex.Key]int64, error) {
	root := filepath.Join(repo, ".git", "annex", "objects")
	held := map[annex.Key]int64{}
	// Layout: objects/XX/YY/KEY/KEY (two hash levels, then the key twice).
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if filepath.Base(filepath.Dir(p)) != d.Name() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		held[annex.Key(d.Name())] = info.Size()
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return held, nil
	}
	return held, err
}

func sumSizes(m map[annex.Key]int64) int64 {
	var n int64
	for _, s := range m {
		n += s
	}
	return n
}

// dirWritable checks that a storage folder can be created and written.
func dirWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".shardkeeper-write-test-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
