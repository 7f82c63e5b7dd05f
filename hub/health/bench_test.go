package health

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// benchShard is a 100k-key shard (built with shard.Build) that three donors
// hold a tenth of each, pushed as their own refs; with -short (make
// bench-smoke) 2,000 keys.
func benchShard(b *testing.B) (fixture, []store.Donor) {
	b.Helper()
	f := newFixture(b, benchKeys())
	var donors []store.Donor
	for d := range 3 {
		uuid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", d)
		donors = append(donors, store.Donor{UUID: uuid, RegisteredAt: t0, LastSeen: t0, Shards: []string{"shard-0001"}})
		files := map[string]string{}
		for i := d * benchKeys() / 10; i < (d+1)*benchKeys()/10; i++ {
			files[annex.LocationLogPath(f.key(i))] = holds(t0, uuid)
		}
		f.push(b, donorRef(uuid), files)
	}
	return f, donors
}

// BenchmarkHealthCold reads a 100k-key shard and three donor refs from
// nothing and reports.
func BenchmarkHealthCold(b *testing.B) {
	f, donors := benchShard(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		t := NewTracker(f.data, at(t0))
		if err := t.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
		if r := t.Report(donors); r.Total.Files != benchKeys() || r.Total.Copies[1] != 3*benchKeys()/10 {
			b.Fatalf("report %+v", r.Total)
		}
	}
}

// BenchmarkHealthAfterPush: a donor pushes 100 changed location logs; the
// tracker reads only those and reports.
func BenchmarkHealthAfterPush(b *testing.B) {
	f, donors := benchShard(b)
	ctx := context.Background()
	t := NewTracker(f.data, at(t0))
	if err := t.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	uuid := donors[0].UUID
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		files := map[string]string{}
		for i := benchKeys()/2 + n*100; i < benchKeys()/2+(n+1)*100; i++ {
			files[annex.LocationLogPath(f.key(i))] = holds(t0.Add(time.Duration(n+1)*time.Second), uuid)
		}
		f.push(b, donorRef(uuid), files)
		b.StartTimer()
		if err := t.RefreshShard(ctx, "shard-0001"); err != nil {
			b.Fatal(err)
		}
		if r := t.Report(donors); r.Total.Copies[1] != 3*benchKeys()/10+(n+1)*100 {
			b.Fatalf("copies %v", r.Total.Copies)
		}
	}
}

// benchKeys is the benchmarks' shard size.
func benchKeys() int {
	if testing.Short() {
		return 2_000
	}
	return 100_000
}
