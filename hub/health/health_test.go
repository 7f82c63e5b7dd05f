package health

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

func TestCopiesJSON(t *testing.T) {
	for _, tc := range []struct {
		c    Copies
		want string
	}{
		{nil, `{"0":0}`},
		{Copies{3}, `{"0":3}`},
		{Copies{1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5}, `{"0":1,"1":0,"2":2,"3":0,"4":0,"5":0,"6":0,"7":0,"8":0,"9":0,"10":5}`},
	} {
		b, _ := json.Marshal(tc.c)
		if string(b) != tc.want {
			t.Errorf("%v -> %s, want %s", tc.c, b, tc.want)
		}
		var back Copies
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, tc.c.orZero()) {
			t.Errorf("%s -> %v %v", b, back, err)
		}
	}
}

// TestDonorRefsCount builds a shard, then writes two donor refs the way a
// push would leave them: one donor holds a key, one holds two keys but is
// marked dead in trust.log, one adds a key the archive never registered.
func TestDonorRefsCount(t *testing.T) {
	ctx := context.Background()
	var entries []manifest.Entry
	for i := range 3 {
		entries = append(entries, manifest.Entry{Path: string(rune('a' + i)), Size: int64(10 * (i + 1)), MD5: strings.Repeat(string(rune('a'+i)), 32), URL: "http://h/x"})
	}
	data := t.TempDir()
	now := time.Unix(1700000000, 0)
	if _, err := shard.Build(ctx, entries, shard.Options{DataDir: data, Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	g := annex.Git{Dir: shard.RepoDir(data, "shard-0001")}
	k := func(i int) annex.Key { return shard.KeyOf(entries[i]) }
	bogus := annex.NewKey(annex.BackendMD5E, 1, strings.Repeat("f", 32), "z")
	ts := "1700000100s"
	stream := "commit refs/heads/donors/d1/git-annex\ncommitter x <x@x> 1700000100 +0000\ndata 0\nfrom refs/heads/git-annex\n" +
		file(annex.LocationLogPath(k(0)), ts+" 1 "+annex.WebUUID+"\n"+ts+" 1 d1\n") +
		file(annex.LocationLogPath(bogus), ts+" 1 d1\n") +
		"commit refs/heads/donors/d2/git-annex\ncommitter x <x@x> 1700000100 +0000\ndata 0\nfrom refs/heads/git-annex\n" +
		file(annex.LocationLogPath(k(0)), ts+" 1 "+annex.WebUUID+"\n"+ts+" 1 d2\n") +
		file(annex.LocationLogPath(k(1)), ts+" 1 "+annex.WebUUID+"\n"+ts+" 1 d2\n") +
		file("trust.log", "d2 X timestamp="+ts+"\n") +
		"done\n"
	if _, err := g.Output(ctx, strings.NewReader(stream), "fast-import", "--quiet", "--done"); err != nil {
		t.Fatal(err)
	}

	r, err := Compute(ctx, data, annex.Git{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	want := `{"shards":[{"name":"shard-0001","files":3,"bytes":60,"copies":{"0":2,"1":1},"donors":2}],` +
		`"total":{"shards":1,"files":3,"bytes":60,"copies":{"0":2,"1":1},"donors":2}}`
	if string(b) != want {
		t.Errorf("report\n%s\nwant\n%s", b, want)
	}
}

func file(path, content string) string {
	return "M 100644 inline " + path + "\ndata " + strconv.Itoa(len(content)) + "\n" + content + "\n"
}
