package store

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/store/storetest"
)

// The store's cost per operation on each database (docs/benchmarks.md,
// "Hub store: SQLite and PostgreSQL"):
//
//	go test -tags nogui -run '^$' -bench . -benchtime 2s ./hub/store/
//
// with SHARDKEEPER_TEST_POSTGRES set for the PostgreSQL half.

// benchOpen opens a fresh database of one backend for a benchmark.
func benchOpen(b *testing.B, be storetest.Backend) *DB {
	b.Helper()
	s, err := OpenURL(be.New(b), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchShards is Neediest over the archive's 1,770 shards.
func benchShards() Picker {
	lacking := map[string]int64{}
	for i := range 1770 {
		lacking[fmt.Sprintf("shard-%04d", i+1)] = 100_000
	}
	return Neediest(lacking, true)
}

// BenchmarkRegister: one registration (count the donors per shard, pick,
// record donor and assignment in one transaction).
func BenchmarkRegister(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			s, pick := benchOpen(b, be), benchShards()
			b.ResetTimer()
			for range b.N {
				if _, _, err := s.Register("", false, t0, pick); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRegisterTwoHosts: registrations from two hosts (handles) at
// once, 4 goroutines each; under PostgreSQL some run twice (40001).
func BenchmarkRegisterTwoHosts(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			url, dir := be.New(b), b.TempDir()
			var hosts [2]*DB
			for i := range hosts {
				s, err := OpenURL(url, dir)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				hosts[i] = s
			}
			pick := benchShards()
			var next atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				s := hosts[next.Add(1)%2]
				for pb.Next() {
					if _, _, err := s.Register("", false, t0, pick); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkPushHealth: what the hub records for one donor push that
// changed 100 location logs of a 10k-file shard (as the health
// tracker's BenchmarkHealthAfterPush): the push's check-in, then one
// transaction with the 100 keys looked up, their lines merged, the
// donor's ref and the shard's totals.
func BenchmarkPushHealth(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			s := benchOpen(b, be)
			d, _, err := s.Register("", false, t0, benchShards())
			if err != nil {
				b.Fatal(err)
			}
			err = s.UpdateHealth("shard-0001", func(tx HealthTx) error {
				for i := range 10_000 {
					if err := tx.AddKey(HealthKey{Key: benchKey(i), Path: fmt.Sprintf("dir/%06d", i), Size: 1000}); err != nil {
						return err
					}
				}
				return tx.SetShard(HealthShard{HubHead: "h", Files: 10_000, Bytes: 10_000_000})
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for n := range b.N {
				if err := benchPush(s, d.UUID, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchKey(i int) string { return fmt.Sprintf("SHA256E-s1000--%064d.bin", i) }

func benchPush(s *DB, uuid string, n int) error {
	at := t0.Add(time.Duration(n+1) * time.Second)
	if err := s.CheckIn(uuid, at); err != nil {
		return err
	}
	return s.UpdateHealth("shard-0001", func(tx HealthTx) error {
		for i := range 100 {
			k := benchKey((n*100 + i) % 10_000)
			if ok, err := tx.HasKey(k); err != nil || !ok {
				return fmt.Errorf("key %s: %v %v", k, ok, err)
			}
			if err := tx.MergeLine(HealthLine{Key: k, Size: 1000, UUID: uuid, Status: '1', Sec: at.Unix()}); err != nil {
				return err
			}
		}
		if err := tx.SetRef("refs/heads/donors/"+uuid+"/git-annex", fmt.Sprint(n)); err != nil {
			return err
		}
		return tx.SetShard(HealthShard{HubHead: "h", Files: 10_000, Bytes: 10_000_000})
	})
}

// BenchmarkColdShard: a shard recorded whole, as a hub that never read it
// does: 100k keys and 30k donor lines in one transaction, the keys in an
// order unrelated to their names (as the branch's hash directories give
// them).
func BenchmarkColdShard(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			s := benchOpen(b, be)
			b.ResetTimer()
			for range b.N {
				err := s.UpdateHealth("shard-0001", func(tx HealthTx) error {
					if err := tx.Reset(); err != nil {
						return err
					}
					for n := range 100_000 {
						i := n * 7919 % 100_000 // every key once, scattered
						k := HealthKey{Key: benchKey(i), Path: fmt.Sprintf("dir/%06d", n), Size: 1000}
						if err := tx.AddKey(k); err != nil {
							return err
						}
						if i%10 < 3 {
							if err := tx.MergeLine(HealthLine{Key: k.Key, Size: 1000, UUID: fmt.Sprint(i % 10), Status: '1', Sec: 1}); err != nil {
								return err
							}
						}
					}
					return tx.SetShard(HealthShard{HubHead: "h", Files: 100_000, Bytes: 100_000_000})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
