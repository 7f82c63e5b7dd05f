package ui

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// While the archive asks for files back, the tray and the overview say
// so; the line goes when the requests are done.
func TestRestoreShowsInTrayAndOverview(t *testing.T) {
	a := newRecordingApp(t)
	st := sampleStatus()
	st.Restore = control.RestoreStatus{Requested: 3}
	api := &fakeAPI{status: st}
	u := newTestUI(t, a, api)
	refresh(t, u)
	const line = "Helping the archive restore 3 files"
	if got := menuLabels(a.menu); len(got) < 3 || got[2] != line {
		t.Errorf("tray menu %q: want %q under the state line", got, line)
	}
	if !slices.Contains(texts(u.Window()), line) {
		t.Errorf("overview does not say %q: %q", line, texts(u.Window()))
	}
	api.set(func(f *fakeAPI) {
		f.status.Restore = control.RestoreStatus{Requested: 0, Uploaded: 3, BytesUploaded: 300}
	})
	refresh(t, u)
	if slices.Contains(menuLabels(a.menu), line) || slices.Contains(texts(u.Window()), line) {
		t.Error("still helping after the requests are done")
	}
	if got := restoreText(control.Status{Restore: control.RestoreStatus{Requested: 1}}); got != "Helping the archive restore 1 file" {
		t.Errorf("one file: %q", got)
	}
}

// The archive verified an upload: the donor is thanked once for a burst
// of verified files, never for history replayed on connect.
func TestRestoreThanks(t *testing.T) {
	var sent []string
	n := newNotifier(nil, testNow)
	n.send = nil
	rec := newRecordingApp(t)
	n.send = rec.SendNotification
	ev := func(at time.Time, file string) control.Event {
		return control.Event{Time: at, Kind: control.EventRestoreVerified, File: file, Message: "Thank you"}
	}
	n.event(ev(testNow.Add(-time.Hour), "old.bin")) // history
	n.event(ev(testNow.Add(time.Second), "a.bin"))
	n.event(ev(testNow.Add(2*time.Second), "b.bin"))
	n.event(ev(testNow.Add(3*time.Second), "c.bin"))
	n.status(sampleStatus(), testNow.Add(10*time.Second)) // baseline: too soon
	n.status(sampleStatus(), testNow.Add(2*time.Minute))  // two more thanked at once
	for _, x := range rec.notifications {
		sent = append(sent, x.Content)
	}
	want := []string{
		"The archive verified a.bin, which you sent back. Your copy helped restore it.",
		"The archive verified 2 files you sent back. Your copies helped restore them.",
	}
	if !reflect.DeepEqual(sent, want) {
		t.Errorf("notifications %q, want %q", sent, want)
	}
	if rec.titles()[0] != "Thank you for helping the archive" {
		t.Errorf("title %q", rec.titles()[0])
	}
}
