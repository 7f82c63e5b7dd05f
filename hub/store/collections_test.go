package store

import (
	"strings"
	"testing"
	"time"
)

// TestRegionsShardsAndHistory: a donor's region and budget are kept; a
// shard given back stops counting as assigned and can then be removed;
// the health history keeps the last point of a day.
func TestRegionsShardsAndHistory(t *testing.T) { eachBackend(t, testRegionsShardsAndHistory) }

func testRegionsShardsAndHistory(t *testing.T, b backend) {
	s := b.open(t)
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	d, _, err := s.Register("", false, t0, first("shard-0001"))
	if err != nil {
		t.Fatal(err)
	}
	region, budget, big := "europe", int64(5<<30), int64(500<<30)
	if d, err = s.Update(d.UUID, Patch{Region: &region, BudgetBytes: &budget, MaxFileBytes: &big}); err != nil {
		t.Fatal(err)
	}
	if d.Region != region || d.BudgetBytes != budget || d.MaxFileBytes != big {
		t.Fatalf("place not kept: %+v", d)
	}
	var seen map[string]int
	if d, _, err = s.AddShard(d.UUID, t0, func(assigned map[string]int, _ []string) (string, error) {
		seen = assigned
		return "shard-0002", nil
	}); err != nil || seen["shard-0001"] != 1 {
		t.Fatalf("add a shard: %v %v", err, seen)
	}
	if d, err = s.LeaveShard(d.UUID, "shard-0001", t0); err != nil || strings.Join(d.LeavingShards, ",") != "shard-0001" {
		t.Fatalf("leave a shard: %v %+v", err, d)
	}
	if _, _, err = s.AddShard(d.UUID, t0, func(assigned map[string]int, _ []string) (string, error) {
		seen = assigned
		return "shard-0003", nil
	}); err != nil || seen["shard-0001"] != 0 || seen["shard-0002"] != 1 {
		t.Fatalf("a shard given back still counts: %v %v", err, seen)
	}
	if d, err = s.RemoveShard(d.UUID, "shard-0001"); err != nil || strings.Join(d.Shards, ",") != "shard-0002,shard-0003" || len(d.LeavingShards) != 0 {
		t.Fatalf("remove a shard: %v %+v", err, d)
	}
	if _, err = s.RemoveShard(d.UUID, "shard-0001"); err != ErrNotFound {
		t.Fatalf("removing twice: %v", err)
	}
	day := DayOf(t0)
	pts := []HealthPoint{{Day: day, Collection: "a", Files: 3, FilesAtRisk: 3}, {Day: "2026-11-29", Collection: "a", Files: 3, FilesAtRisk: 3}}
	if err := s.RecordHealth(pts); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordHealth([]HealthPoint{{Day: day, Collection: "a", Files: 3, FilesAtRisk: 1, BytesProtected: 20}}); err != nil {
		t.Fatal(err)
	}
	hist, err := s.HealthHistory("2026-11-01")
	if err != nil || len(hist) != 2 || hist[1].FilesAtRisk != 1 || hist[1].BytesProtected != 20 || hist[0].Day != "2026-11-29" {
		t.Fatalf("history: %v %+v", err, hist)
	}
}

// TestMigratesHealthStateToCollections: a database at schema 5 (the
// health state, before collections) keeps its stored files through
// migration 6, and the size index answers HealthKeysOver.
func TestMigratesHealthStateToCollections(t *testing.T) {
	eachBackend(t, testMigratesHealthStateToCollections)
}

func testMigratesHealthStateToCollections(t *testing.T, b backend) {
	s := migrated(t, b, 5, `INSERT INTO health_keys (shard, key, path, size) VALUES
		('shard-0001', 'k-small', 'a', 10), ('shard-0001', 'k-big', 'b', 1000)`)
	big, err := s.HealthKeysOver("shard-0001", 100)
	if err != nil || len(big) != 1 || big[0].Key != "k-big" || big[0].Path != "b" || big[0].Size != 1000 {
		t.Errorf("keys over 100 after the migration: %+v %v", big, err)
	}
	if ds, err := s.Donors(); err != nil || len(ds) != 0 {
		t.Errorf("donors after the migration: %+v %v", ds, err)
	}
}
