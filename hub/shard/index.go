package shard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/atomicfile"
)

// The index says where every item and file of a built collection is, so a
// rebuild can diff against it without reading the repositories:
// DATA/items.json maps each shard to its items, and DATA/index/<shard>.tsv
// lists a shard's files. The repositories stay the truth: a shard whose
// list is missing is read back from its branches.

const (
	itemsFile   = "items.json"
	indexDir    = "index"
	indexHeader = "shardhub index 1\tpath\tkey\turl"
)

// ItemsPath is the item index of a data directory.
func ItemsPath(dataDir string) string { return filepath.Join(dataDir, itemsFile) }

// IndexPath is the file list of one shard.
func IndexPath(dataDir, name string) string {
	return filepath.Join(dataDir, indexDir, name+".tsv")
}

// readItems returns item -> shard name; a missing file is an empty index.
func readItems(dataDir string) (map[string]string, bool, error) {
	data, err := os.ReadFile(ItemsPath(dataDir))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read item index: %w", err)
	}
	var byShard map[string][]string
	if err := json.Unmarshal(data, &byShard); err != nil {
		return nil, false, fmt.Errorf("read item index %s: %w", ItemsPath(dataDir), err)
	}
	items := map[string]string{}
	for name, list := range byShard {
		for _, it := range list {
			items[it] = name
		}
	}
	return items, true, nil
}

func writeItems(dataDir string, items map[string]string) error {
	byShard := map[string][]string{}
	for it, name := range items {
		byShard[name] = append(byShard[name], it)
	}
	for _, list := range byShard {
		sort.Strings(list)
	}
	data, err := json.MarshalIndent(byShard, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.Write(ItemsPath(dataDir), append(data, '\n'), 0o644)
}

// oldFile is one file a shard had before this build.
type oldFile struct {
	key annex.Key
	url string // "" when read back from the repository, which keeps URLs per key
}

// oldShard is what a shard held before this build.
type oldShard struct {
	files map[string]oldFile
	urls  map[annex.Key][]string // URLs registered per key
}

// readIndex reads a shard's file list; ok is false when it has none.
func readIndex(dataDir, name string) (old oldShard, ok bool, err error) {
	f, err := os.Open(IndexPath(dataDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return old, false, nil
	}
	if err != nil {
		return old, false, fmt.Errorf("read index of %s: %w", name, err)
	}
	defer f.Close()
	old = oldShard{files: map[string]oldFile{}, urls: map[annex.Key][]string{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			if sc.Text() != indexHeader {
				return old, false, fmt.Errorf("index %s is not a shardhub index: delete it to read the shard back from its repository", IndexPath(dataDir, name))
			}
			continue
		}
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			return old, false, fmt.Errorf("index %s line %d is damaged: delete the file to read the shard back from its repository", IndexPath(dataDir, name), line)
		}
		for i := range fields {
			if fields[i], err = unquoteField(fields[i]); err != nil {
				return old, false, fmt.Errorf("index %s line %d is damaged: delete the file to read the shard back from its repository", IndexPath(dataDir, name), line)
			}
		}
		k := annex.Key(fields[1])
		old.files[fields[0]] = oldFile{key: k, url: fields[2]}
		if !slices.Contains(old.urls[k], fields[2]) {
			old.urls[k] = append(old.urls[k], fields[2])
		}
	}
	if err := sc.Err(); err != nil {
		return old, false, fmt.Errorf("read index of %s: %w", name, err)
	}
	return old, true, nil
}

// writeIndex writes a shard's file list, recs sorted by path.
func writeIndex(dataDir, name string, recs []*record) error {
	if err := os.MkdirAll(filepath.Join(dataDir, indexDir), 0o755); err != nil {
		return fmt.Errorf("write index of %s: %w", name, err)
	}
	var b bytes.Buffer
	b.Grow(len(recs) * 160)
	b.WriteString(indexHeader + "\n")
	for _, r := range recs {
		b.WriteString(quoteField(r.path))
		b.WriteByte('\t')
		b.WriteString(string(r.key))
		b.WriteByte('\t')
		b.WriteString(quoteField(r.url))
		b.WriteByte('\n')
	}
	return atomicfile.Write(IndexPath(dataDir, name), b.Bytes(), 0o644)
}

// quoteField Go-quotes a field that could not sit in a tab-separated line
// as it is (a tab, newline or other control byte) or that starts with a
// quote; everything else is written plain.
func quoteField(s string) string {
	if strings.HasPrefix(s, `"`) || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

func unquoteField(s string) (string, error) {
	if strings.HasPrefix(s, `"`) {
		return strconv.Unquote(s)
	}
	return s, nil
}
