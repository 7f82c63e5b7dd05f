package store

import (
	"errors"
	"testing"
	"time"
)

// TestRestoreStateSurvivesARestart: drills, requests, who was asked,
// uploads and verdicts are in the database; a second drill over the same
// request, and the same accepted bytes twice, count once.
func TestRestoreStateSurvivesARestart(t *testing.T) {
	eachBackend(t, testRestoreStateSurvivesARestart)
}

func testRestoreStateSurvivesARestart(t *testing.T, b backend) {
	s := b.open(t)
	d, _, err := s.Register("alice", false, t0, first("shard-0001"))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := s.RestoreRemote("shard-0001", "R1", t0); err != nil || r != "R1" {
		t.Fatalf("remote %q %v", r, err)
	}
	if r, _ := s.RestoreRemote("shard-0001", "R2", t0); r != "R1" {
		t.Errorf("the restore remote changed to %q", r)
	}
	files := []Request{{Shard: "shard-0001", Key: "K1", Path: "a", Size: 1}, {Shard: "shard-0001", Key: "K2", Path: "b", Size: 2}}
	reqs, err := s.OpenRequests(files, t0)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.OpenRequests(files[:1], t0)
	if again[0].ID != reqs[0].ID {
		t.Errorf("a second request for an open key: %s and %s", reqs[0].ID, again[0].ID)
	}
	kept, err := s.StartDrill(Drill{ID: "drill-1", Shard: "shard-0001", Started: t0}, []DrillFile{{Request: reqs[0], MarkedLost: true}, {Request: reqs[1]}})
	if err != nil || len(kept) != 2 {
		t.Fatalf("drill: %v %v", kept, err)
	}
	if kept, err := s.StartDrill(Drill{ID: "drill-2", Shard: "shard-0001", Started: t0}, []DrillFile{{Request: reqs[0]}}); err != nil || len(kept) != 0 {
		t.Errorf("a second drill over a running drill's file kept %v (%v)", kept, err)
	}
	if ok, _ := s.Ask(reqs[0].ID, d.UUID, "", t0); !ok {
		t.Error("ask")
	}
	if ok, _ := s.Ask(reqs[0].ID, "bob", "", t0); ok {
		t.Error("asked over another donor")
	}
	s.RecordUpload(Upload{Request: reqs[1].ID, Donor: d.UUID, Reason: "wrong"}, "", t0)
	for range 2 {
		if err := s.RecordUpload(Upload{Request: reqs[0].ID, Donor: d.UUID, Accepted: true, SHA256: "ab", Bytes: 1}, StateVerified, t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s = b.open(t)
	drills, _ := s.Drills()
	if len(drills) != 1 { // the drill that kept nothing was not recorded
		t.Fatalf("drills after a restart: %+v", drills)
	}
	got, _ := s.DrillFiles("drill-1")
	if len(got) != 2 || got[0].State != StateVerified || got[0].VerifiedBy != d.UUID || !got[0].MarkedLost || got[1].State != StateRequested {
		t.Errorf("drill files after a restart: %+v", got)
	}
	if ups, _ := s.Uploads(reqs[0].ID); len(ups) != 1 {
		t.Errorf("the same bytes twice count %d uploads", len(ups))
	}
	rec, _ := s.Donor(d.UUID)
	if rec.Proof.FailsInRow != 0 || rec.Proof.LastFailed.IsZero() || rec.Proof.LastPassed.IsZero() {
		t.Errorf("standing after a refused then an accepted upload: %+v", rec.Proof)
	}
	if _, err := s.EndDrill("drill-1", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EndDrill("drill-1", t0); !errors.Is(err, ErrNoDrill) {
		t.Errorf("ending twice: %v", err)
	}
	if _, err := s.OpenRequest("shard-0001", "K1"); !errors.Is(err, ErrNoRequest) {
		t.Errorf("the ended drill's request is still open: %v", err)
	}
}
