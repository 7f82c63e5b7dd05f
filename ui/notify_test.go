package ui

import (
	"reflect"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestNotifications(t *testing.T) {
	a := newRecordingApp(t)
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, a, api)
	step := func(change func(s *control.Status)) {
		t.Helper()
		api.set(func(f *fakeAPI) { change(&f.status) })
		refresh(t, u)
	}
	step(func(s *control.Status) {}) // the first status is the baseline
	if len(a.notifications) != 0 {
		t.Fatalf("notified about how things were at start: %q", a.titles())
	}

	// Verification: finished, then finished with problems (from the agent's words).
	step(func(s *control.Status) { s.Verifying = &control.Progress{Done: 1, Total: 10} })
	step(func(s *control.Status) { s.Verifying = nil })
	step(func(s *control.Status) { s.Verifying = &control.Progress{Done: 1, Total: 10} })
	u.onEvent(control.Event{Time: testNow.Add(time.Minute), Kind: control.EventVerify,
		Message: "Verification finished: 2 damaged files will be fetched again."})
	step(func(s *control.Status) { s.Verifying = nil })

	// A drive goes away and comes back.
	step(func(s *control.Status) { s.Locations[0].Online = false })
	step(func(s *control.Status) { s.Locations[0].Online = true })

	// The budget fills up; staying full says nothing more.
	step(func(s *control.Status) { s.BytesHeld = 199_000_000_000 })
	step(func(s *control.Status) { s.BytesHeld = 199_500_000_000 })

	// The hub has not been reached for over a day.
	step(func(s *control.Status) { s.LastReport = at("2026-03-13 13:00:00") })
	step(func(s *control.Status) { s.LastReport = at("2026-03-13 12:00:00") })

	want := []string{
		"Verification finished",
		"Verification found problems",
		"Drive 'Shardkeeper' is connected again",
		"Your donated space is full",
		"Can't reach the archive's hub",
	}
	if got := a.titles(); !reflect.DeepEqual(got, want) {
		t.Fatalf("notifications %q, want %q", got, want)
	}
	if got := a.notifications[1].Content; got != "Verification finished: 2 damaged files will be fetched again." {
		t.Errorf("problem notification says %q", got)
	}
	if got := a.notifications[4].Content; got != "Shardkeeper has not reached hub.example.org for over a day. Your files stay safe here; check your internet connection." {
		t.Errorf("hub notification says %q", got)
	}
}

// A paused agent does not talk to the hub: that is no reason to worry.
func TestNoHubWarningWhilePaused(t *testing.T) {
	st := sampleStatus()
	st.LastReport = at("2026-03-10 12:00:00")
	st.Paused, st.State = true, control.StatePaused
	if hubLost(st, testNow) {
		t.Error("paused for days counts as hub unreachable")
	}
	st.Paused, st.State = false, control.StateIdle
	if !hubLost(st, testNow) {
		t.Error("four days without the hub is not noticed")
	}
}
