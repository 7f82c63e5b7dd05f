package agent

import (
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

// TestAdmitWaitsForTheRarestWhileDownloadsRun: with a download in flight,
// a rare file that does not fit yet is not passed over for a commoner one
// (the reservation will shrink to real usage); once nothing is in flight,
// a file that really does not fit is passed over.
func TestAdmitWaitsForTheRarestWhileDownloadsRun(t *testing.T) {
	a := &Agent{ledger: newLedger()}
	a.ledger.contentOnly = true // content alone, as the figures below
	a.ledger.budget = 100 << 10
	a.ledger.inflight[objRef{"s", "SHA256E-s1--running"}] = 64 << 10
	queue := []Candidate{
		{Key: annex.Key("SHA256E-s40960--rare"), Size: 40 << 10, Copies: 0},
		{Key: annex.Key("SHA256E-s8192--common"), Size: 8 << 10, Copies: 1},
	}
	if i := a.admitFirst("s", queue, false); i != -1 {
		t.Fatalf("with a download in flight, admitted queue[%d] past the rarest file", i)
	}
	if i := a.admitFirst("s", queue, true); i != 1 {
		t.Fatalf("with nothing in flight, admitted %d; want the common file that fits (1)", i)
	}
}

// TestPlansCountExpectedUsage: plans budget files at their whole blocks,
// not at the download reservation, so a file that fits is not left out
// for a commoner one.
func TestPlansCountExpectedUsage(t *testing.T) {
	if got := expectedUsage(4097, 4096); got != 8192 {
		t.Errorf("expectedUsage(4097) = %d, want 8192", got)
	}
	if r := reserveFor(4096, 4096); r <= expectedUsage(4096, 4096) {
		t.Errorf("the reservation (%d) must stay above the expected usage", r)
	}
}
