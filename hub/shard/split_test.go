package shard

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
)

// TestSplitNeverSplitsAnItem: random items over both limits. Every item
// ends up in exactly one shard (read back from the repositories), every
// shard keeps both limits unless it holds one item that alone passes them
// (with a warning), and shards are filled in order.
func TestSplitNeverSplitsAnItem(t *testing.T) {
	const files, bytes = 7, 100
	rng := rand.New(rand.NewSource(3))
	var entries []manifest.Entry
	itemOf := map[string]string{}
	addItem := func(name string, n int, size func() int64) {
		for f := 0; f < n; f++ {
			p := fmt.Sprintf("%s/%d", name, f)
			entries = append(entries, manifest.Entry{Path: p, Size: size(), SHA256: fmt.Sprintf("%064x", len(entries)), URL: "http://h/" + p})
			itemOf[p] = name
		}
	}
	for i := 0; i < 40; i++ { // random items of up to 5 files stay under 100 bytes
		addItem(fmt.Sprintf("item%02d", i), 1+rng.Intn(5), func() int64 { return int64(rng.Intn(20)) })
		switch i {
		case 10:
			addItem("many-files", 12, func() int64 { return 1 })
		case 20:
			addItem("many-bytes", 2, func() int64 { return 80 })
		}
	}
	rng.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] }) // items need not be contiguous
	data := t.TempDir()
	rep, err := BuildFrom(context.Background(), Entries(entries), Options{DataDir: data, FilesPerShard: files, MaxShardBytes: bytes, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}

	sizeOf := map[string]int64{}
	for _, e := range entries {
		sizeOf[e.Path] = e.Size
	}
	shardOfItem := map[string]string{}
	seen := 0
	for _, s := range rep.Shards {
		var paths []string
		annex.ReadTree(context.Background(), annex.Git{Dir: RepoDir(data, s.Name)}, "main", nil, func(p string, _ []byte) error {
			paths = append(paths, p)
			return nil
		})
		items := map[string]bool{}
		var total int64
		for _, p := range paths {
			it := itemOf[p]
			if prev, ok := shardOfItem[it]; ok && prev != s.Name {
				t.Errorf("item %s is split between %s and %s", it, prev, s.Name)
			}
			shardOfItem[it], items[it] = s.Name, true
			total += sizeOf[p]
		}
		seen += len(paths)
		if (len(paths) > files || total > bytes) && len(items) != 1 {
			t.Errorf("%s: %d files, %d bytes in %d items: over a limit", s.Name, len(paths), total, len(items))
		}
	}
	if seen != len(entries) {
		t.Errorf("%d paths in the shards, %d in the input", seen, len(entries))
	}
	warned := strings.Join(rep.Warnings, "\n")
	for _, big := range []string{"many-files", "many-bytes"} {
		if !strings.Contains(warned, fmt.Sprintf("item %q", big)) || !strings.Contains(warned, "to itself") {
			t.Errorf("no warning for %s:\n%s", big, warned)
		}
	}
	if len(rep.Warnings) != 2 {
		t.Errorf("warnings:\n%s", warned)
	}
	// Filled in order: a shard is only closed when the next item does not
	// fit, so two neighbours never fit in one.
	for i := 1; i < len(rep.Shards); i++ {
		a, b := rep.Shards[i-1], rep.Shards[i]
		if a.Paths+b.Paths <= files && a.Bytes+b.Bytes <= bytes {
			t.Errorf("%s and %s would fit in one shard: %+v %+v", a.Name, b.Name, a.Info, b.Info)
		}
	}
}
