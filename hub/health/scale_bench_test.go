package health

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/hub/store/storetest"
)

// BenchmarkStatePerPush measures what the shared database holds and what a
// push writes to it (docs/scaling.md): the bytes of a 100k-file shard's
// state read whole, the bytes per donor line, and per push of 100 changed
// location logs the rows upserted and the bytes the database grows by.
func BenchmarkStatePerPush(b *testing.B) {
	f, _ := benchFixture(b, false)
	n := benchKeys() // 100k; with -short (make bench-smoke) 2,000
	// SQLite, or PostgreSQL when SHARDKEEPER_TEST_POSTGRES names a server.
	db, err := store.OpenFile(filepath.Join(b.TempDir(), "hub.db"))
	if os.Getenv(storetest.EnvPostgres) != "" {
		db, err = store.OpenPostgres(storetest.PostgresURL(b))
	}
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	opts := at(t0)
	opts.State = db
	t := NewTracker(f.data, opts)
	empty, _ := db.UsedBytes()
	if err := t.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	files, _ := db.UsedBytes()
	uuid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", 1)
	held := map[string]string{}
	for i := range n / 10 {
		held[annex.LocationLogPath(f.key(i))] = holds(t0, uuid)
	}
	f.push(b, donorRef(uuid), held)
	if err := t.RefreshShard(ctx, "shard-0001"); err != nil {
		b.Fatal(err)
	}
	lines, _ := db.UsedBytes()
	b.ResetTimer()
	before := lines
	for p := range b.N {
		b.StopTimer()
		changed := map[string]string{}
		for i := n/10 + p*100; i < n/10+(p+1)*100; i++ {
			changed[annex.LocationLogPath(f.key(i%n))] = holds(t0.Add(time.Duration(p+1)*time.Second), uuid)
		}
		f.push(b, donorRef(uuid), changed)
		b.StartTimer()
		if err := t.RefreshShard(ctx, "shard-0001"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	after, _ := db.UsedBytes()
	// Per push: 100 health_lines upserted, the donor's ref, the shard's row.
	b.ReportMetric(float64(files-empty)*100_000/float64(n), "state-bytes/100k-files")
	b.ReportMetric(float64(lines-files)/float64(n/10), "bytes/donor-line")
	b.ReportMetric(102, "rows/push")
	b.ReportMetric(float64(after-before)/float64(b.N), "bytes/push")
}
