package agent

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
)

// HeldObjects lists the annexed objects present in a repository, with
// their sizes, by looking at .git/annex/objects itself: what is on disk is
// the truth, whatever the logs say.
func HeldObjects(repo string) (map[annex.Key]int64, error) {
	held, err := scanObjects(repo)
	out := make(map[annex.Key]int64, len(held))
	for k, o := range held {
		out[k] = o.Size
	}
	return out, err
}

// scanObjects lists complete objects with their size and disk usage.
func scanObjects(repo string) (map[annex.Key]ledger.Object, error) {
	root := filepath.Join(repo, ".git", "annex", "objects")
	held := map[annex.Key]ledger.Object{}
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
		held[annex.Key(d.Name())] = ledger.Object{Size: info.Size(), Usage: diskUsage(info)}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return held, nil
	}
	return held, err
}

// tmpDir is where git-annex keeps downloads in progress, named by key;
// it resumes them from there.
func tmpDir(repo string) string { return filepath.Join(repo, ".git", "annex", "tmp") }

// scanPartials lists partial downloads with their disk usage.
func scanPartials(repo string) (map[annex.Key]int64, error) {
	out := map[annex.Key]int64{}
	entries, err := os.ReadDir(tmpDir(repo))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !annex.Key(e.Name()).Valid() {
			continue
		}
		if info, err := e.Info(); err == nil {
			out[annex.Key(e.Name())] = diskUsage(info)
		}
	}
	return out, nil
}

// objectPath is where a non-bare repository keeps k's content.
func objectPath(repo string, k annex.Key) string {
	return filepath.Join(repo, filepath.FromSlash(annex.ObjectPath(k)))
}

// objectOnDisk stats one object (after a download or a drop).
func objectOnDisk(repo string, k annex.Key) (ledger.Object, bool) {
	info, err := os.Stat(objectPath(repo, k))
	if err != nil {
		return ledger.Object{}, false
	}
	return ledger.Object{Size: info.Size(), Usage: diskUsage(info)}, true
}

// partialOnDisk is the usage of k's partial download (0: none).
func partialOnDisk(repo string, k annex.Key) int64 {
	info, err := os.Stat(filepath.Join(tmpDir(repo), string(k)))
	if err != nil {
		return 0
	}
	return diskUsage(info)
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
