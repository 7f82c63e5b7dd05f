package manifest

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// FromDir describes every regular file under dir as served from baseURL,
// so a collection that is on local disk needs no manifest. See
// FromDirProgress.
func FromDir(dir, baseURL string) ([]Entry, error) {
	return FromDirProgress(dir, baseURL, nil)
}

// FromDirProgress is FromDir calling progress (when not nil) after each
// file is hashed. Directories whose name starts with a dot (.git and the
// like) and symbolic links are skipped. Each file is hashed with SHA-256
// and MD5 in one read. Entries come sorted by path.
func FromDirProgress(dir, baseURL string, progress func(Entry)) ([]Entry, error) {
	if !validURL(baseURL) {
		return nil, fmt.Errorf("base URL %q is not an http or https URL", baseURL)
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("scan collection: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	base := strings.TrimRight(baseURL, "/")
	var entries []Entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks, sockets, devices: not content
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		e, err := hashFile(p)
		if err != nil {
			return err
		}
		if e.Path, err = cleanPath(filepath.ToSlash(rel)); err != nil {
			return err
		}
		e.URL = base + "/" + escapePath(e.Path)
		entries = append(entries, e)
		if progress != nil {
			progress(e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", dir, err)
	}
	// WalkDir's order is per directory; sort whole paths so "a.txt" and
	// "a/b" come out the same way everywhere.
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	return entries, nil
}

// escapePath escapes each segment of a slash path for use in a URL.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func hashFile(name string) (Entry, error) {
	f, err := os.Open(name)
	if err != nil {
		return Entry{}, err
	}
	defer f.Close()
	s, m := sha256.New(), md5.New()
	n, err := io.Copy(io.MultiWriter(s, m), f)
	if err != nil {
		return Entry{}, fmt.Errorf("read %s: %w", name, err)
	}
	return Entry{Size: n, SHA256: hex.EncodeToString(s.Sum(nil)), MD5: hex.EncodeToString(m.Sum(nil))}, nil
}
