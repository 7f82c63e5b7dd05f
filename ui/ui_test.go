package ui

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestOptionsDefaults(t *testing.T) {
	u := New(test.NewTempApp(t), &fakeAPI{}, Options{})
	defer u.Stop()
	if u.opts.RefreshEvery != 2*time.Second || u.Window().Title() != "Shardkeeper" || u.opts.Now == nil || u.opts.TrayHost == nil {
		t.Errorf("defaults: every %v, title %q", u.opts.RefreshEvery, u.Window().Title())
	}
}

func TestStartPollsAndFollowsEventsUntilStop(t *testing.T) {
	events := make(chan control.Event) // unbuffered: a send returns once the stream took it
	api := &fakeAPI{status: sampleStatus(), events: events}
	u := New(test.NewTempApp(t), api, Options{RefreshEvery: 5 * time.Millisecond, Title: "Test"})
	// The test driver runs fyne.Do at once on the calling goroutine: make
	// the poll loop and the event loop take turns, as on the real UI thread.
	var uiThread sync.Mutex
	u.onUI = func(f func()) {
		uiThread.Lock()
		defer uiThread.Unlock()
		f()
	}
	u.Start()
	u.Start() // a second Start must not start a second loop

	waitFor(t, "3 polls", func() bool { n, _, _ := api.calls(); return n >= 3 })
	first := control.Event{Time: time.Now(), Kind: control.EventFetched, Message: "Fetched emma.epub"}
	events <- first
	// Taking the third means the UI has handled the first.
	events <- control.Event{Time: time.Now(), Kind: control.EventFetched, Message: "Fetched persuasion.epub"}
	events <- control.Event{Time: time.Now(), Kind: control.EventFetched, Message: "Fetched emma.epub again"}
	u.Stop()
	n, _, _ := api.calls()
	time.Sleep(30 * time.Millisecond)
	if m, _, _ := api.calls(); m != n {
		t.Errorf("polled %d more times after Stop", m-n)
	}
	requireText(t, u.Window(), "Protecting 1,234 files · 12.0 GB")
	if len(u.events) == 0 || u.events[0].Message != first.Message {
		t.Errorf("events %v, want the first to be %q", u.events, first.Message)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 5s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A slow answer to an older poll must not overwrite a newer one.
func TestOlderPollDoesNotOverwriteNewer(t *testing.T) {
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{status: sampleStatus()})
	newer := sampleStatus()
	newer.FilesProtected = 2000
	u.apply(2, newer, nil)
	u.apply(1, sampleStatus(), nil)
	requireText(t, u.Window(), "Protecting 2,000 files · 12.0 GB")
}
