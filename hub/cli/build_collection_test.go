package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// TestBuildCollections: --collection and --description name a build's
// collection; a manifest's collection column overrides it per row; a bad
// name is refused with the rule.
func TestBuildCollections(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("m.csv", []byte("path,size,md5,url,collection\n"+
		"a/1,1,"+md5x+",http://h/a/1,\n"+
		"b/1,2,"+md5y+",http://h/b/1,music\n"), 0o644)
	out, errOut, code := run(t, "build", "m.csv", "--out", "data", "--collection", "books", "--description", "Old books")
	if code != 0 {
		t.Fatal(errOut)
	}
	if !strings.Contains(out, "shard-0001  new        1 files, 1 B, collection books") || !strings.Contains(out, "collection music") {
		t.Errorf("report:\n%s", out)
	}
	infos, err := shard.ReadCatalog("data")
	if err != nil || len(infos) != 2 || infos[0].Collection != "books" || infos[1].Collection != "music" {
		t.Fatalf("catalog: %v %+v", err, infos)
	}
	colls, _ := shard.ReadCollections("data", infos)
	if len(colls) != 2 || colls[0].Description != "Old books" {
		t.Errorf("collections: %+v", colls)
	}
	if _, errOut, code = run(t, "build", "m.csv", "--out", "data", "--collection", "old books"); code == 0 || !strings.Contains(errOut, "letters, digits") {
		t.Errorf("a bad name: exit %d %s", code, errOut)
	}
	os.WriteFile("bad.csv", []byte("path,size,md5,url,collection\na/1,1,"+md5x+",http://h/a/1,no/slash\n"), 0o644)
	if _, errOut, code = run(t, "build", "bad.csv", "--out", "data2"); code == 0 || !strings.Contains(errOut, `collection "no/slash" is not a collection name`) {
		t.Errorf("a bad column value: exit %d %s", code, errOut)
	}
}
