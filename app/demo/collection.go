// Package demo makes the built-in demo collection: a few hundred real
// files copied from documentation the system ships, laid out the way an
// archive's items are (one folder per item), so `shardkeeper demo` shows the
// whole system on real data without downloading anything.
package demo

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Sources are the folders the demo collection is copied from, in order.
var Sources = []string{"/usr/share/doc", "/usr/share/common-licenses"}

// Make fills dir with up to n files (each at most maxSize bytes) from the
// source folders, grouped in one folder per item, and tops up with
// generated text where the system has too few. It returns the number of
// files and bytes written.
func Make(dir string, n int, maxSize int64, sources []string) (files int, bytes int64, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, fmt.Errorf("create demo collection: %w", err)
	}
	for _, src := range sources {
		paths := candidates(src, maxSize)
		for _, p := range paths {
			if files >= n {
				return files, bytes, nil
			}
			rel, _ := filepath.Rel(src, p)
			dst := filepath.Join(dir, filepath.Base(src), rel)
			size, err := copyFile(p, dst)
			if err != nil {
				continue // unreadable system file: take the next one
			}
			files++
			bytes += size
		}
	}
	for i := 0; files < n; i++ {
		dst := filepath.Join(dir, "generated", fmt.Sprintf("item-%03d", i/10), fmt.Sprintf("text-%04d.txt", i))
		body := strings.Repeat(fmt.Sprintf("Shardkeeper demo text %d. Many hands keep the archive alive.\n", i), 40+i%200)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return files, bytes, fmt.Errorf("create demo collection: %w", err)
		}
		if err := os.WriteFile(dst, []byte(body), 0o644); err != nil {
			return files, bytes, fmt.Errorf("create demo collection: %w", err)
		}
		files++
		bytes += int64(len(body))
	}
	return files, bytes, nil
}

// candidates lists regular, readable files of a useful size under root in
// a stable order, so every demo run builds the same collection.
func candidates(root string, maxSize int64) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Size() >= 512 && info.Size() <= maxSize {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return 0, err
	}
	out, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}
