package health

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// The benchmarks' shards cost most of this package's benchmark time to
// build (a 100k-key shard, then three donors' pushes of 10k logs each), so
// each is built once per test binary and every benchmark run works on its
// own copy. The built ones live under the test's HOME, the temporary one
// testkit.Main removes at the end.
var (
	benchOnce   sync.Once
	benchBuilt  [2]fixture // the shard; the shard with three donor refs
	benchDonors []store.Donor
	benchErr    error
)

// benchFixture returns a copy of the shard (held false) or of the shard
// that three donors hold a tenth of each (held true), with its donors.
func benchFixture(b *testing.B, held bool) (fixture, []store.Donor) {
	b.Helper()
	benchOnce.Do(func() { benchErr = buildBenchFixtures(b) })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	src := benchBuilt[0]
	if held {
		src = benchBuilt[1]
	}
	f := src
	f.data = filepath.Join(b.TempDir(), "data")
	if err := os.CopyFS(f.data, os.DirFS(src.data)); err != nil {
		b.Fatalf("copying the benchmark's shard: %v", err)
	}
	f.g.Dir = filepath.Join(f.data, mustRel(b, src.data, src.g.Dir))
	return f, benchDonors
}

func mustRel(b *testing.B, base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// buildBenchFixtures builds benchKeys() keys into one shard, copies it, and
// has three donors push a tenth of the keys each to the copy.
func buildBenchFixtures(b *testing.B) error {
	dir, err := os.MkdirTemp(os.Getenv("HOME"), "bench-fixtures-")
	if err != nil {
		return fmt.Errorf("a folder for the benchmark shards: %w", err)
	}
	f := newFixture(b, benchKeys())
	for i := range benchBuilt {
		benchBuilt[i] = f
		benchBuilt[i].data = filepath.Join(dir, fmt.Sprint(i))
		benchBuilt[i].g.Dir = filepath.Join(benchBuilt[i].data, mustRel(b, f.data, f.g.Dir))
		if err := os.CopyFS(benchBuilt[i].data, os.DirFS(f.data)); err != nil {
			return fmt.Errorf("copying the benchmark shard: %w", err)
		}
	}
	for d := range 3 {
		uuid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", d)
		benchDonors = append(benchDonors, store.Donor{UUID: uuid, RegisteredAt: t0, LastSeen: t0, Shards: []string{"shard-0001"}})
		files := map[string]string{}
		for i := d * benchKeys() / 10; i < (d+1)*benchKeys()/10; i++ {
			files[annex.LocationLogPath(f.key(i))] = holds(t0, uuid)
		}
		benchBuilt[1].push(b, donorRef(uuid), files)
	}
	return nil
}
