package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestHealthState: what the health tracker keeps, on both databases: a
// newer location-log line wins whatever order the lines come in, reads
// come in byte order (uppercase before lowercase, as git sorts), a failed
// update records nothing and Reset forgets a shard's files.
func TestHealthState(t *testing.T) { eachBackend(t, testHealthState) }

func testHealthState(t *testing.T, b backend) {
	s := b.open(t)
	if _, ok, err := s.HealthShard("shard-0001"); ok || err != nil {
		t.Fatalf("an empty database has a shard: %v %v", ok, err)
	}
	keys := []HealthKey{{Key: "b", Path: "dir/x", Size: 10}, {Key: "B", Path: "dir/x", Size: 500}, {Key: "a", Path: "Z", Size: 1}}
	err := s.UpdateHealth("shard-0001", func(tx HealthTx) error {
		for _, k := range keys {
			if err := tx.AddKey(k); err != nil {
				return err
			}
		}
		for _, l := range []HealthLine{
			{Key: "b", UUID: "u1", Status: '1', Sec: 20}, {Key: "b", UUID: "u1", Status: '0', Sec: 10}, // older: ignored
			{Key: "B", UUID: "u1", Status: '1', Sec: 5}, {Key: "B", UUID: "u2", Status: '1', Sec: 5, Nsec: 1},
			{Key: "B", UUID: "u2", Status: '0', Sec: 5, Nsec: 2}, // newer by a nanosecond
		} {
			if err := tx.MergeLine(l); err != nil {
				return err
			}
		}
		if has, err := tx.HasKey("B"); err != nil || !has {
			t.Errorf("HasKey(B) = %v %v", has, err)
		}
		if err := tx.SetRef("refs/heads/donors/u1/git-annex", "c1"); err != nil {
			return err
		}
		return tx.SetShard(HealthShard{HubHead: "h1", MainHead: "m1", Files: 3, Bytes: 511, Trust: "u1 1 timestamp=1s"})
	})
	if err != nil {
		t.Fatal(err)
	}
	checkHealthReads(t, s)
	checkHealthReset(t, s)
}

// checkHealthReads reads back what testHealthState recorded.
func checkHealthReads(t *testing.T, s *DB) {
	h, ok, err := s.HealthShard("shard-0001")
	want := HealthShard{Name: "shard-0001", HubHead: "h1", MainHead: "m1", Files: 3, Bytes: 511, Trust: "u1 1 timestamp=1s",
		Refs: map[string]string{"refs/heads/donors/u1/git-annex": "c1"}}
	if !ok || err != nil || !reflect.DeepEqual(h, want) {
		t.Errorf("shard %+v %v %v", h, ok, err)
	}
	var lines []string
	s.EachHealthLine("shard-0001", func(l HealthLine) error {
		lines = append(lines, l.Key+"/"+l.UUID+"="+string(l.Status))
		return nil
	})
	if got := strings.Join(lines, " "); got != "B/u1=1 B/u2=0 b/u1=1" {
		t.Errorf("lines by key: %s", got)
	}
	var ofU1 []string
	s.EachHealthLineOf("u1", '1', func(l HealthLine) error { ofU1 = append(ofU1, l.Key); return nil })
	if got := strings.Join(ofU1, " "); got != "B b" {
		t.Errorf("u1's present lines: %s", got)
	}
	var files []string
	s.EachHealthKey("shard-0001", func(k HealthKey) error { files = append(files, k.Path+":"+k.Key); return nil })
	if got := strings.Join(files, " "); got != "Z:a dir/x:B dir/x:b" {
		t.Errorf("files by path, then key: %s", got)
	}
	if big, err := s.HealthKeysOver("shard-0001", 100); err != nil || len(big) != 1 || big[0].Key != "B" {
		t.Errorf("keys over 100: %+v %v", big, err)
	}
	if k, ok, _ := s.HealthKey("shard-0001", "b"); !ok || k.Size != 10 {
		t.Errorf("key b: %+v %v", k, ok)
	}
	if ls, _ := s.HealthKeyLines("shard-0001", "B"); len(ls) != 2 || ls[1].Nsec != 2 || ls[1].Status != '0' {
		t.Errorf("lines of B: %+v", ls)
	}
}

// checkHealthReset: a failed update records nothing; Reset forgets.
func checkHealthReset(t *testing.T, s *DB) {
	failed := errors.New("stop")
	err := s.UpdateHealth("shard-0001", func(tx HealthTx) error {
		if err := tx.Reset(); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("failed update: %v", err)
	}
	if _, ok, _ := s.HealthKey("shard-0001", "a"); !ok {
		t.Error("a failed update's Reset was recorded")
	}
	if err := s.UpdateHealth("shard-0001", func(tx HealthTx) error { return tx.Reset() }); err != nil {
		t.Fatal(err)
	}
	if ls, _ := s.HealthKeyLines("shard-0001", "B"); len(ls) != 0 {
		t.Errorf("lines after Reset: %+v", ls)
	}
}

// TestHealthStateInBatches: more keys and lines than one statement writes,
// a key added twice, and an older line arriving a batch after a newer one;
// all held and sorted before they are written, and written in many runs
// (the second round then merges with what the database has).
func TestHealthStateInBatches(t *testing.T) {
	t.Run("one run", testHealthStateInBatches)
	defer func(max int) { healthPendingMax = max }(healthPendingMax)
	healthPendingMax = 100
	t.Run("runs of 100", testHealthStateInBatches)
}

func testHealthStateInBatches(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t)
		n := 2*healthBatch + 7
		key := func(i int) string { return fmt.Sprintf("K%05d", i) }
		err := s.UpdateHealth("shard-0001", func(tx HealthTx) error {
			for round := range 2 { // the second round: the same keys again, older lines
				for i := range n {
					if err := tx.AddKey(HealthKey{Key: key(i), Path: fmt.Sprint(round), Size: int64(i)}); err != nil {
						return err
					}
					if err := tx.MergeLine(HealthLine{Key: key(i), UUID: "u1", Status: '1', Sec: int64(10 - round)}); err != nil {
						return err
					}
				}
			}
			if has, err := tx.HasKey(key(n - 1)); !has || err != nil {
				t.Errorf("HasKey of a key not written yet: %v %v", has, err)
			}
			for i := 1; i < n; i += 2 { // newer lines after all that
				if err := tx.MergeLine(HealthLine{Key: key(i), UUID: "u1", Status: '0', Sec: 11}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var keys, lines int
		s.EachHealthKey("shard-0001", func(k HealthKey) error {
			if keys++; k.Path != "0" {
				t.Fatalf("key %s: path %q, want the first added", k.Key, k.Path)
			}
			return nil
		})
		s.EachHealthLine("shard-0001", func(l HealthLine) error {
			want := HealthLine{Shard: "shard-0001", Key: key(lines), UUID: "u1", Status: '1', Sec: 10}
			if lines%2 == 1 {
				want.Status, want.Sec = '0', 11
			}
			if lines++; l != want {
				t.Fatalf("line %+v, want the newest %+v", l, want)
			}
			return nil
		})
		if keys != n || lines != n {
			t.Errorf("%d keys and %d lines, want %d", keys, lines, n)
		}
	})
}
