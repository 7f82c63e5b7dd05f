package shard

import (
	"context"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestCollectionsBuildSeparately: two collections built into one data
// directory, one at a time, get shards of their own; building one again
// leaves the other's shards alone; the same item name in both is two
// items; a manifest's collection column overrides the build's.
func TestCollectionsBuildSeparately(t *testing.T) {
	testkit.RequireGitAnnex(t)
	ctx := context.Background()
	url := func(p string) string { return "http://127.0.0.1:1/" + p }
	data := t.TempDir()
	a := entriesOf(map[string]string{"docs/1.txt": "a1", "docs/2.txt": "a2"}, url)
	if _, err := BuildFrom(ctx, Entries(a), Options{DataDir: data, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	b := entriesOf(map[string]string{"docs/1.txt": "b1", "music/x.txt": "bx"}, url)
	b[1].Collection = "music" // the column wins over the build's collection
	rep, err := BuildFrom(ctx, Entries(b), Options{DataDir: data, Now: fixedNow, Collection: "books", Description: "Old books"})
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "shard-0002 new, shard-0003 new" {
		t.Fatalf("second build: %s", got)
	}
	infos, err := ReadCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"shard-0001": manifest.DefaultCollection, "shard-0002": "books", "shard-0003": "music"}
	for _, info := range infos {
		if want[info.Name] != info.Collection {
			t.Errorf("%s is in %q, want %q", info.Name, info.Collection, want[info.Name])
		}
	}
	if len(infos) != 3 || infos[0].Files != 2 {
		t.Fatalf("catalog: %+v", infos)
	}
	colls, err := ReadCollections(data, infos)
	if err != nil {
		t.Fatal(err)
	}
	if len(colls) != 3 || colls[0].Name != "books" || colls[0].Description != "Old books" {
		t.Fatalf("collections: %+v", colls)
	}
	// Building "default" again with one file fewer touches only its shard.
	rep, err = BuildFrom(ctx, Entries(a[:1]), Options{DataDir: data, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "shard-0001 updated" {
		t.Fatalf("third build: %s", got)
	}
	infos, _ = ReadCatalog(data)
	if len(infos) != 3 || infos[1].Files != 1 || infos[1].Collection != "books" {
		t.Fatalf("catalog after the third build: %+v", infos)
	}
	if _, err := BuildFrom(ctx, Entries(a), Options{DataDir: data, Collection: "no spaces"}); err == nil {
		t.Fatal("a bad collection name was accepted")
	}
}
