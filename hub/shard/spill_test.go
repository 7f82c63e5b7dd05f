package shard

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/manifest"
)

// TestBuildSpillsRowsAndCountsDuplicates: the rows a build spills to the
// data directory are gone afterwards, and duplicate contents are found
// across shards (one file per shard here) from the spilled rows.
func TestBuildSpillsRowsAndCountsDuplicates(t *testing.T) {
	md5 := func(c byte) string { return strings.Repeat(string(c), 32) }
	var entries []manifest.Entry
	for i, r := range []struct {
		path, md5 string
		size      int64
	}{{"a/1", md5('a'), 10}, {"b/1", md5('b'), 20}, {"c/1", md5('a'), 10}, {"d/1", md5('a'), 10}, {"e/1", md5('b'), 20}, {"f/1", md5('c'), 5}} {
		entries = append(entries, manifest.Entry{Path: r.path, MD5: r.md5, Size: r.size, URL: "https://archive.example/" + r.path, Line: i + 2})
	}
	data := t.TempDir()
	rep, err := BuildFrom(context.Background(), Entries(entries), Options{DataDir: data, FilesPerShard: 1, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 3 || rep.Bytes != 35 || rep.Paths != 6 || rep.MD5OnlyKeys != 3 || len(rep.Shards) != 6 {
		t.Fatalf("files %d, bytes %d, paths %d, md5-only %d, shards %d; want 3, 35, 6, 3, 6",
			rep.Files, rep.Bytes, rep.Paths, rep.MD5OnlyKeys, len(rep.Shards))
	}
	var got [][]string
	var saved []int64
	for _, d := range rep.Duplicates {
		got, saved = append(got, d.Paths), append(saved, d.BytesSaved)
	}
	if want := [][]string{{"a/1", "c/1", "d/1"}, {"b/1", "e/1"}}; !reflect.DeepEqual(got, want) || !reflect.DeepEqual(saved, []int64{20, 20}) {
		t.Fatalf("duplicates %v saving %v, want %v saving [20 20]", got, saved, want)
	}
	left, err := os.ReadDir(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		if strings.HasPrefix(e.Name(), ".build-") || strings.HasPrefix(e.Name(), ".shards-building-") {
			t.Errorf("the build left %s in the data directory", e.Name())
		}
	}
}
