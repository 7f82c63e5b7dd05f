package store

import (
	"errors"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/proof"
)

func TestChallengesAndStanding(t *testing.T) { eachBackend(t, testChallengesAndStanding) }

func testChallengesAndStanding(t *testing.T, b backend) {
	s := b.open(t)
	d, _, err := s.Register("", false, t0, first("shard-0001"))
	if err != nil {
		t.Fatal(err)
	}
	issue := func(id string, at time.Time) {
		t.Helper()
		c := proof.Challenge{ID: id, Shard: "shard-0001", Key: "K", Offset: 5, Length: 10, Nonce: "ab", Expires: at.Add(time.Hour)}
		if err := s.AddChallenge(d.UUID, c, at); err != nil {
			t.Fatal(err)
		}
	}
	issue("c1", t0)
	if err := s.AddChallenge(d.UUID, proof.Challenge{ID: "c2"}, t0); !errors.Is(err, ErrChallengeOpen) {
		t.Fatalf("second open challenge: %v", err)
	}
	open, err := s.OpenChallenges(d.UUID, t0)
	if err != nil || len(open) != 1 || open[0].Offset != 5 || open[0].Length != 10 || !open[0].Expires.Equal(t0.Add(time.Hour)) {
		t.Fatalf("open: %+v %v", open, err)
	}
	// Three failures in a row: a wrong answer, "not held", silence.
	if _, err := s.Settle(d.UUID, "c1", ResultFailed, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Settle(d.UUID, "c1", ResultPassed, t0); !errors.Is(err, ErrSettled) {
		t.Errorf("settled twice: %v", err)
	}
	issue("c2", t0.Add(time.Minute))
	s.Settle(d.UUID, "c2", ResultNotHeld, t0)
	issue("c3", t0.Add(2*time.Minute))
	if gone, err := s.ExpireChallenges(t0.Add(2 * time.Hour)); err != nil || len(gone) != 1 || gone[0].ID != "c3" {
		t.Fatalf("expire: %+v %v", gone, err)
	}
	if d, _ = s.Donor(d.UUID); !d.FailingProofs() || d.Proof.FailsInRow != 3 || !d.Proof.LastChallenged.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("after three failures: %+v", d.Proof)
	}
	// An answer kept while the hub could not check it, then a pass.
	issue("c4", t0.Add(3*time.Hour))
	s.RecordAnswer(d.UUID, "c4", "abc", t0.Add(3*time.Hour))
	if un, _ := s.Unchecked(); len(un) != 1 || un[0].Answer != "abc" {
		t.Fatalf("unchecked: %+v", un)
	}
	if open, _ := s.OpenChallenges(d.UUID, t0.Add(3*time.Hour)); len(open) != 0 {
		t.Errorf("an answered challenge is still listed: %+v", open)
	}
	if st, err := s.Settle(d.UUID, "c4", ResultPassed, t0.Add(4*time.Hour)); err != nil || st.FailsInRow != 0 || !st.LastPassed.Equal(t0.Add(4*time.Hour)) {
		t.Fatalf("pass: %+v %v", st, err)
	}
	s.Close()
	re := b.open(t)
	if c, err := re.Challenge(d.UUID, "c4"); err != nil || c.Result != ResultPassed {
		t.Errorf("after reopening: %+v %v", c, err)
	}
	if _, err := re.Challenge("someone-else", "c4"); !errors.Is(err, ErrNoChallenge) {
		t.Errorf("another donor's challenge: %v", err)
	}
}
