package ui

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

const (
	rawFetched = `time=14:00 level=INFO msg="fetched" key=K0`
	rawSlow    = `time=14:01 level=WARN msg="slow"`
)

func TestActivityShowsTransfersProblemsAndEvents(t *testing.T) {
	st := sampleStatus()
	st.State = control.StateFetching
	st.Transfers = []control.Transfer{
		{Shard: "pd-books-01", Key: "K1", File: "austen/emma.epub", DoneBytes: 400_000, TotalBytes: 800_000, BytesPerSec: 2_100_000},
		{Shard: "pd-books-01", Key: "K2", File: "dickens/hard-times.epub", DoneBytes: 0, TotalBytes: 700_000},
	}
	api := &fakeAPI{status: st, log: []string{rawFetched, rawSlow}}
	u := newTestUI(t, test.NewTempApp(t), api)
	refresh(t, u)
	selectTab(u, 3)
	w := u.Window()

	for _, want := range []string{
		"austen/emma.epub", "400 kB of 800 kB · 2.1 MB/s",
		"dickens/hard-times.epub", "0 B of 700 kB",
		"No problems.", "What happened",
		"Nothing yet. What Shardkeeper does shows here: files it downloads or gives back, reports to the hub, pauses.",
	} {
		requireText(t, w, want)
	}
	bar, _ := find(w, func(p *widget.ProgressBar) bool { return p.Value == 0.5 })
	if bar == nil {
		t.Error("no progress bar at 50% for emma.epub")
	}

	api.set(func(f *fakeAPI) { f.status.FilesSkipped = 12 })
	refresh(t, u)
	requireText(t, w, "12 files failed to download several times: Shardkeeper leaves them alone for a day, then tries again.")

	// Progress events move the bars between polls; a finished one goes.
	u.onEvent(control.Event{Time: testNow, Kind: control.EventTransfer,
		Transfer: &control.Transfer{Shard: "pd-books-01", Key: "K1", File: "austen/emma.epub", DoneBytes: 800_000, TotalBytes: 800_000}})
	if hasText(w, "austen/emma.epub") {
		t.Error("a finished download is still listed")
	}
	refused := "Could not fetch dickens/hard-times.epub: dial tcp 192.0.2.1:443: connect: connection refused"
	u.onEvent(control.Event{Time: testNow.Add(time.Second), Kind: control.EventError, Message: refused, Cause: control.CauseNetwork}) // as the agent names it
	u.onEvent(control.Event{Time: testNow.Add(2 * time.Second), Kind: control.EventFetched, Message: "Fetched austen/emma.epub"})
	requireText(t, w, "14:00  "+refused) // under Problems
	requireText(t, w, "Shardkeeper can't reach the archive's servers. Check your internet connection; it tries again on its own.")

	// What happened: a time, an icon for the kind and the sentence, newest first.
	rows := u.view.activity.timeline.Objects
	if len(rows) != 2 {
		t.Fatalf("%d events listed, want 2 (progress is not an event to list)", len(rows))
	}
	for i, want := range []struct {
		msg  string
		icon fyne.Resource
	}{
		{"Fetched austen/emma.epub", theme.DownloadIcon()},
		{refused, theme.NewWarningThemedResource(theme.WarningIcon())},
	} {
		var labels []string
		var icons []fyne.Resource
		walk(rows[i], func(o fyne.CanvasObject) {
			switch o := o.(type) {
			case *widget.Label:
				labels = append(labels, o.Text)
			case *widget.Icon:
				icons = append(icons, o.Resource)
			}
		})
		if len(labels) != 2 || !slices.Contains(labels, "14:00") || !slices.Contains(labels, want.msg) {
			t.Errorf("event %d reads %q, want 14:00 and %q", i, labels, want.msg)
		}
		if len(icons) != 1 || icons[0].Name() != want.icon.Name() {
			t.Errorf("event %d has icons %v, want %s", i, icons, want.icon.Name())
		}
	}
}

// The raw log hides behind "Show details"; it is read only while it shows
// and the tab is open.
func TestActivityLogBehindDetails(t *testing.T) {
	api := &fakeAPI{status: sampleStatus(), log: []string{rawFetched, rawSlow}}
	u := newTestUI(t, test.NewTempApp(t), api)
	refresh(t, u)
	selectTab(u, 3)
	w := u.Window()
	if hasText(w, rawFetched+"\n"+rawSlow) || hasText(w, "Agent log") {
		t.Fatal("the raw log shows before the donor asks for details")
	}
	u.runLater()
	if len(u.later) != 0 {
		t.Error("reading the log while it is hidden")
	}

	test.Tap(u.view.activity.details)
	requireText(t, w, "Agent log")
	requireText(t, w, rawFetched+"\n"+rawSlow)

	// The log is read again while the tab stays open.
	api.set(func(f *fakeAPI) { f.log = append(f.log, `time=14:02 level=INFO msg="idle"`) })
	u.runLater()
	requireTextContaining(t, w, `msg="idle"`)
	selectTab(u, 0)
	u.runLater()
	if len(u.later) != 0 {
		t.Error("still reading the log with the tab closed")
	}

	selectTab(u, 3)
	test.Tap(u.view.activity.details)
	u.runLater()
	if len(u.later) != 0 || hasText(w, "Agent log") {
		t.Error("the log still shows, or is read, after hiding the details")
	}
}
