package health

import (
	"bytes"
	"context"
	"encoding/csv"
	"reflect"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/hub/store/storetest"
)

// TestRestartFromState: a tracker started again on the hub's database reads
// no location log and reports what the first did (copies per region too,
// from group.log); a push after the restart costs only the logs it changed.
// On SQLite and on PostgreSQL.
func TestRestartFromState(t *testing.T) { storetest.Run(t, testRestartFromState) }

func testRestartFromState(t *testing.T, dbURL string) {
	f := newFixture(t, 50)
	ctx := context.Background()
	f.push(t, donorRef("a"), map[string]string{
		annex.LocationLogPath(f.key(0)): holds(t0, "a"),
		annex.LocationLogPath(f.key(1)): holds(t0, "a", "b"),
		"group.log":                     "a region-europe timestamp=1700000000s\n",
	})
	db, err := store.OpenURL(dbURL, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opts := at(t0)
	opts.State = db
	first := NewTracker(f.data, opts)
	if err := first.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if first.shards["shard-0001"].blobs == 0 {
		t.Fatal("the first start read no location log")
	}
	want := first.Report(nil)

	again := NewTracker(f.data, opts) // the hub restarts
	if err := again.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := again.shards["shard-0001"].blobs; n != 0 {
		t.Errorf("the restart read %d location logs, want none", n)
	}
	if got := again.Report(nil); !reflect.DeepEqual(got, want) {
		t.Errorf("after the restart:\n%+v\nwant\n%+v", got.Total, want.Total)
	}
	if got := again.Report(nil).Total.CopiesByRegion; got["europe"] != 2 || got[UnknownRegion] != 1 {
		t.Errorf("copies by region after the restart %v, want europe 2 (group.log), unknown 1", got)
	}
	if h, ok := again.Holders("shard-0001", f.key(1)); !ok || len(h) != 2 {
		t.Errorf("holders after the restart: %v %v", h, ok)
	}

	f.push(t, donorRef("a"), map[string]string{annex.LocationLogPath(f.key(2)): holds(t0.Add(time.Second), "a")})
	if err := again.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := again.shards["shard-0001"].blobs; n != 1 {
		t.Errorf("the push after the restart read %d logs, want the 1 it changed", n)
	}
	if c := again.Report(nil).Total.Copies; len(c) != 3 || c[0] != 47 || c[1] != 2 || c[2] != 1 {
		t.Errorf("copies after the push %v", c)
	}
}

// flushCounter is an http.Flusher that notes how many rows had left by
// each flush.
type flushCounter struct {
	bytes.Buffer
	flushes []int
}

func (w *flushCounter) Flush() { w.flushes = append(w.flushes, bytes.Count(w.Bytes(), []byte("\n"))) }

// TestAtRiskCSVStreams: the CSV leaves in pieces while the list is read,
// not once it is whole, and holds every file at risk in order.
func TestAtRiskCSVStreams(t *testing.T) {
	n := 2*csvFlushEvery + 500
	f := newFixture(t, n)
	f.push(t, donorRef("a"), map[string]string{annex.LocationLogPath(f.key(7)): holds(t0, "a")})
	tr := NewTracker(f.data, at(t0))
	defer tr.Close()
	if err := tr.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	var w flushCounter
	if err := tr.StreamAtRiskCSV(context.Background(), &w, nil); err != nil {
		t.Fatal(err)
	}
	if len(w.flushes) < 3 || w.flushes[0] > csvFlushEvery+1 {
		t.Errorf("flushed after rows %v: the list was not streamed", w.flushes)
	}
	rows, err := csv.NewReader(&w.Buffer).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 || rows[n][2] != string(f.key(7)) || rows[n][4] != "1" {
		t.Errorf("%d rows, last %v", len(rows), rows[len(rows)-1])
	}
}
