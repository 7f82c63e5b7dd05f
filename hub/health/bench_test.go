package health

import (
	"context"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// BenchmarkHealthCold reads a 100k-key shard and three donor refs from
// nothing and reports.
func BenchmarkHealthCold(b *testing.B) {
	f, donors := benchFixture(b, true)
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
	f, donors := benchFixture(b, true)
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
