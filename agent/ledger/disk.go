package ledger

// What is on disk is the truth: the ledger is filled from git-annex's
// object and tmp directories.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/shardkeeper/shardkeeper/annex"
)

// Scan lists complete objects with their size and disk usage.
func Scan(repo string) (map[annex.Key]Object, error) {
	root := filepath.Join(repo, ".git", "annex", "objects")
	held := map[annex.Key]Object{}
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
		held[annex.Key(d.Name())] = Object{Size: info.Size(), Usage: DiskUsage(info)}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return held, nil
	}
	return held, err
}

// TmpDir is where git-annex keeps downloads in progress, named by key;
// it resumes them from there.
func TmpDir(repo string) string { return filepath.Join(repo, ".git", "annex", "tmp") }

// ScanPartials lists partial downloads with their disk usage.
func ScanPartials(repo string) (map[annex.Key]int64, error) {
	out := map[annex.Key]int64{}
	entries, err := os.ReadDir(TmpDir(repo))
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
			out[annex.Key(e.Name())] = DiskUsage(info)
		}
	}
	return out, nil
}

// ObjectPath is where a non-bare repository keeps k's content.
func ObjectPath(repo string, k annex.Key) string {
	return filepath.Join(repo, filepath.FromSlash(annex.ObjectPath(k)))
}

// OnDisk stats one object (after a download or a drop).
func OnDisk(repo string, k annex.Key) (Object, bool) {
	info, err := os.Stat(ObjectPath(repo, k))
	if err != nil {
		return Object{}, false
	}
	return Object{Size: info.Size(), Usage: DiskUsage(info)}, true
}

// PartialOnDisk is the usage of k's partial download (0: none).
func PartialOnDisk(repo string, k annex.Key) int64 {
	info, err := os.Stat(filepath.Join(TmpDir(repo), string(k)))
	if err != nil {
		return 0
	}
	return DiskUsage(info)
}
