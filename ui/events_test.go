package ui

import (
	"reflect"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestEventsReplayedAfterReconnectAreIgnored(t *testing.T) {
	a := newRecordingApp(t)
	u := newTestUI(t, a, &fakeAPI{status: sampleStatus()})
	evs := []control.Event{
		{Time: testNow, Kind: control.EventFetched, Message: "Fetched a"},
		{Time: testNow, Kind: control.EventFetched, Message: "Fetched b"},
		{Time: testNow.Add(time.Second), Kind: control.EventError, Message: "boom"},
	}
	for range 2 { // the agent replays its history on each new stream
		for _, ev := range evs {
			u.onEvent(ev)
		}
	}
	if len(u.events) != 3 {
		t.Errorf("kept %d events, want 3", len(u.events))
	}
	u.onEvent(control.Event{Time: testNow.Add(-time.Hour), Kind: control.EventFetched, Message: "old"})
	if len(u.events) != 3 {
		t.Error("an event older than all kept ones was added")
	}
}

func TestUpdateTransfers(t *testing.T) {
	ts := []control.Transfer{{Shard: "s", Key: "a", DoneBytes: 1, TotalBytes: 10}, {Shard: "s", Key: "b", TotalBytes: 10}}
	got := updateTransfers(ts, control.Transfer{Shard: "s", Key: "b", DoneBytes: 5, TotalBytes: 10})
	if !reflect.DeepEqual(got, []control.Transfer{ts[0], {Shard: "s", Key: "b", DoneBytes: 5, TotalBytes: 10}}) {
		t.Errorf("progress: %+v", got)
	}
	got = updateTransfers(got, control.Transfer{Shard: "s", Key: "a", DoneBytes: 10, TotalBytes: 10})
	got = updateTransfers(got, control.Transfer{Shard: "s", Key: "c", DoneBytes: 1, TotalBytes: 3})
	if len(got) != 2 || got[0].Key != "b" || got[1].Key != "c" {
		t.Errorf("finished one kept or new one missing: %+v", got)
	}
	if ts[1].DoneBytes != 0 {
		t.Error("updateTransfers changed the status it was given")
	}
}
