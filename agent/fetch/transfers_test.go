package fetch

import (
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/plan"
)

// TestTransfersSmoothSpeedAndThrottleEvents: progress lines book the bytes
// and a smoothed speed; an event goes out at most once a second per
// download; the list is sorted and forgets what ended.
func TestTransfersSmoothSpeedAndThrottleEvents(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tr := NewTransfers(func() time.Time { return now })
	tr.Start("s", plan.Candidate{Key: "SHA256E-s1000--b", Size: 1000}, "b.bin")
	tr.Start("s", plan.Candidate{Key: "SHA256E-s1000--a", Size: 1000}, "a.bin")

	now = now.Add(time.Second)
	ev, ok := tr.Progress("s", "SHA256E-s1000--a", 100, 0)
	if !ok || ev.Kind != control.EventTransfer || ev.Transfer.BytesPerSec != 100 || ev.File != "a.bin" {
		t.Fatalf("first progress: %v %+v", ok, ev)
	}
	now = now.Add(500 * time.Millisecond)
	if _, ok := tr.Progress("s", "SHA256E-s1000--a", 300, 0); ok {
		t.Error("a second event within a second")
	}
	got := tr.List()
	if len(got) != 2 || got[0].Key != "SHA256E-s1000--a" || got[0].DoneBytes != 300 {
		t.Fatalf("list %+v", got)
	}
	if want := 0.7*100 + 0.3*400; got[0].BytesPerSec != want {
		t.Errorf("speed %v, want %v (smoothed)", got[0].BytesPerSec, want)
	}
	if _, ok := tr.Progress("s", "SHA256E-s1--unknown", 1, 1); ok {
		t.Error("progress for a download not under way")
	}
	tr.End("s", "SHA256E-s1000--a")
	if got := tr.List(); len(got) != 1 || got[0].File != "b.bin" {
		t.Errorf("after the end: %+v", got)
	}
}
