package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestActivityShowsTransfersProblemsAndLog(t *testing.T) {
	st := sampleStatus()
	st.State = control.StateFetching
	st.Transfers = []control.Transfer{
		{Shard: "pd-books-01", Key: "K1", File: "austen/emma.epub", DoneBytes: 400_000, TotalBytes: 800_000, BytesPerSec: 2_100_000},
		{Shard: "pd-books-01", Key: "K2", File: "dickens/hard-times.epub", DoneBytes: 0, TotalBytes: 700_000},
	}
	api := &fakeAPI{status: st, log: []string{"time=14:00 level=INFO msg=\"fetched\" key=K0", "time=14:01 level=WARN msg=\"slow\""}}
	u := newTestUI(t, test.NewTempApp(t), api)
	refresh(t, u)
	selectTab(u, 3)
	w := u.Window()

	for _, want := range []string{
		"austen/emma.epub", "400 kB of 800 kB · 2.1 MB/s",
		"dickens/hard-times.epub", "0 B of 700 kB",
		"No problems.", "Nothing yet.",
		"time=14:00 level=INFO msg=\"fetched\" key=K0\ntime=14:01 level=WARN msg=\"slow\"",
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
	u.onEvent(control.Event{Time: testNow.Add(time.Second), Kind: control.EventError,
		Message: "Could not fetch dickens/hard-times.epub: dial tcp 192.0.2.1:443: connect: connection refused"})
	u.onEvent(control.Event{Time: testNow.Add(2 * time.Second), Kind: control.EventFetched, Message: "Fetched austen/emma.epub"})
	requireText(t, w, "14:00  Could not fetch dickens/hard-times.epub: dial tcp 192.0.2.1:443: connect: connection refused")
	requireText(t, w, "Shardkeeper can't reach the archive's servers. Check your internet connection; it tries again on its own.")
	requireText(t, w, "14:00  Fetched austen/emma.epub")

	// The log is read again while the tab stays open.
	api.set(func(f *fakeAPI) { f.log = append(f.log, "time=14:02 level=INFO msg=\"idle\"") })
	u.runLater()
	requireTextContaining(t, w, "msg=\"idle\"")
	selectTab(u, 0)
	u.runLater()
	if len(u.later) != 0 {
		t.Error("still reading the log with the tab closed")
	}
}
