package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/store"
)

// TestShardsListAndPlaceRefusals: `shards` lists hosts and placements;
// `shards place` refuses an unknown host and an unplaced shard in one
// line each, and gives up on a move no host carries out, leaving the
// shard where it was.
func TestShardsListAndPlaceRefusals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	db, err := store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	for _, h := range []string{"a", "b"} {
		if err := db.Heartbeat(h, "http://"+h+".example", now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Claim("a", []string{"shard-0001"}, now); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "shards", "--db", path)
	if code != 0 || !strings.Contains(out, "http://b.example") || !strings.Contains(out, "shard-0001  a     served") {
		t.Errorf("shards: %d\n%s%s", code, out, errOut)
	}
	for _, c := range []struct{ args, want string }{
		{"shard-0001 --host nope", "no hub host is called nope"},
		{"shard-0099 --host b", "shard-0099 is served by no hub host"},
		{"shard-0001 --host b --wait 1s", "did not finish within 1s: a did not stop taking pushes"},
	} {
		_, errOut, code := run(t, append([]string{"shards", "place", "--db", path}, strings.Fields(c.args)...)...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("shards place %s: %d %q, want one line with %q", c.args, code, errOut, c.want)
		}
	}
	if p, err := db.Placement("shard-0001"); err != nil || p.Host != "a" || p.State != store.PlacementServed || p.Error == "" {
		t.Errorf("after the move gave up: %+v %v", p, err)
	}
}
