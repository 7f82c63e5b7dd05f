package store

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestHostsPlacementAndMove: two hosts sharing one database file claim
// shards (each shard once), and a move goes moving, frozen, switched; a
// second move while one runs is refused; a failed move leaves the shard
// where it was.
func TestHostsPlacementAndMove(t *testing.T) {
	eachBackend(t, testHostsPlacementAndMove)
	t.Run("sqlite-file", func(t *testing.T) {
		// Hub processes on one machine sharing one SQLite file.
		path := filepath.Join(t.TempDir(), "shared.db")
		a, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		checkHostsAndMove(t, a, b)
	})
}

func testHostsPlacementAndMove(t *testing.T, be backend) {
	checkHostsAndMove(t, be.open(t), be.open(t))
}

func checkHostsAndMove(t *testing.T, a, b *DB) {
	t.Helper()
	if err := a.Heartbeat("a", "http://a", t0); err != nil {
		t.Fatal(err)
	}
	if err := b.Heartbeat("b", "http://b", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := a.Heartbeat("a", "http://a2", t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	hosts, err := b.HostList()
	if err != nil || len(hosts) != 2 || hosts[0].PublicURL != "http://a2" || !hosts[0].HeartbeatAt.Equal(t0.Add(2*time.Second)) || !hosts[0].StartedAt.Equal(t0) {
		t.Fatalf("hosts %+v, %v", hosts, err)
	}
	got, err := a.Claim("a", []string{"s1", "s2"}, t0)
	if err != nil || !slices.Equal(got, []string{"s1", "s2"}) {
		t.Fatalf("a claimed %v, %v", got, err)
	}
	got, err = b.Claim("b", []string{"s2", "s3"}, t0)
	if err != nil || !slices.Equal(got, []string{"s3"}) {
		t.Fatalf("b claimed %v, %v; want only s3", got, err)
	}
	if err := b.RequestMove("s1", "b", t0); err != nil {
		t.Fatal(err)
	}
	if err := a.RequestMove("s1", "b", t0); err == nil {
		t.Error("a second move of s1 was accepted while one runs")
	}
	if ok, err := b.Freeze("s1", "b", t0); ok || err != nil {
		t.Errorf("the target froze s1: %v %v", ok, err)
	}
	if err := b.FinishMove("s1", "b", t0); err == nil {
		t.Error("a move finished before the source froze")
	}
	if ok, err := a.Freeze("s1", "a", t0); !ok || err != nil {
		t.Fatalf("freeze: %v %v", ok, err)
	}
	if err := b.FinishMove("s1", "b", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	p, err := a.Placement("s1")
	if err != nil || p.Host != "b" || p.State != PlacementServed || p.MovingTo != "" {
		t.Fatalf("after the move: %+v, %v", p, err)
	}
	if err := a.RequestMove("s2", "b", t0); err != nil {
		t.Fatal(err)
	}
	if err := b.FailMove("s2", "the fetch failed", t0); err != nil {
		t.Fatal(err)
	}
	all, err := b.Placements()
	if err != nil || len(all) != 3 || all[1].Host != "a" || all[1].State != PlacementServed || all[1].Error != "the fetch failed" {
		t.Fatalf("placements %+v, %v", all, err)
	}
	if _, err := a.Placement("nope"); err != ErrNoPlacement {
		t.Errorf("unplaced shard: %v", err)
	}
}
