package ui

import (
	"context"
	"math"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestWindowShowsStatus(t *testing.T) {
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, test.NewTempApp(t), api)
	w := u.Window()

	requireText(t, w, "Connecting to the Shardkeeper agent…")
	if hasText(w, "0 B held (no donated space limit set)") {
		t.Error("shows zeros before the agent has answered")
	}
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}

	if w.Title() != "Shardkeeper" {
		t.Errorf("title %q, want Shardkeeper", w.Title())
	}
	for _, want := range []string{
		"Protecting 1,234 files",
		"Up to date",
		"12 MB of 50 MB donated space used",
		"Archive hub: https://hub.example.org",
		"Stored in /home/donor/.local/share/shardkeeper",
		"Shard", "Files held", "Size",
		"pd-books-01", "1,200 of 1,500 files", "9.0 MB",
		"pd-maps-07", "34 of 40 files", "3.0 MB",
		"Pause",
	} {
		requireText(t, w, want)
	}
	if hasText(w, "Connecting to the Shardkeeper agent…") {
		t.Error("still says it is connecting after a successful refresh")
	}
	if p := findProgress(w); p == nil || math.Abs(p.Value-0.24) > 1e-9 {
		t.Errorf("progress bar %+v, want value 0.24", p)
	}
}

func TestWindowStateSentences(t *testing.T) {
	api := &fakeAPI{}
	u := newTestUI(t, test.NewTempApp(t), api)
	for _, tc := range []struct {
		state, message, want string
	}{
		{control.StateFetching, "", "Fetching files…"},
		{control.StateIdle, "", "Up to date"},
		{control.StatePaused, "", "Paused"},
		{control.StateOffline, "", "The agent is not running"},
		{control.StateNotJoined, "", "Not joined to an archive yet"},
		{control.StateIdle, "Disk budget full", "Disk budget full"},
	} {
		api.set(func(f *fakeAPI) { f.status = control.Status{State: tc.state, Message: tc.message} })
		if err := u.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		requireText(t, u.Window(), tc.want)
	}
	requireText(t, u.Window(), "No shards yet: the agent picks some once it has joined an archive.")
}

func TestPauseButtonPausesAndBecomesResume(t *testing.T) {
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, test.NewTempApp(t), api)
	w := u.Window()
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}

	test.Tap(findButton(t, w, "Pause"))
	if _, pauses, _ := api.calls(); pauses != 1 {
		t.Fatalf("Pause called %d times, want 1", pauses)
	}
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	requireText(t, w, "Paused")
	test.Tap(findButton(t, w, "Resume"))
	if _, _, resumes := api.calls(); resumes != 1 {
		t.Fatalf("Resume called %d times, want 1", resumes)
	}
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	findButton(t, w, "Pause")
}

func TestAgentErrorIsShownInPlainLanguage(t *testing.T) {
	api := &fakeAPI{statusErr: errNoSocket}
	u := newTestUI(t, test.NewTempApp(t), api)
	w := u.Window()

	if err := u.Refresh(context.Background()); err == nil {
		t.Fatal("Refresh returned no error")
	}
	want := "Can't reach the Shardkeeper agent: dial unix /run/shardkeeper.sock: connect: no such file or directory"
	requireText(t, w, want)
	if hasText(w, "Archive hub: none yet") || hasText(w, "No shards yet: the agent picks some once it has joined an archive.") {
		t.Error("shows details although the agent never answered")
	}
	if b := findButton(t, w, "Pause"); !b.Disabled() {
		t.Error("Pause is enabled although the agent can't be reached")
	}

	// The agent comes back: the message goes away.
	api.set(func(f *fakeAPI) { f.statusErr, f.status = nil, sampleStatus() })
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	requireText(t, w, "Protecting 1,234 files")
	if hasText(w, want) {
		t.Error("error message still shown after the agent answered")
	}
	if b := findButton(t, w, "Pause"); b.Disabled() {
		t.Error("Pause still disabled after the agent answered")
	}
}

func TestPauseFailureIsShown(t *testing.T) {
	api := &fakeAPI{status: sampleStatus(), actionErr: errNoSocket}
	u := newTestUI(t, test.NewTempApp(t), api)
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, u.Window(), "Pause"))
	requireText(t, u.Window(), "Couldn't pause: "+errNoSocket.Error())
	findButton(t, u.Window(), "Pause") // still not paused
}

// A slow answer to an older poll must not overwrite a newer one.
func TestOlderPollDoesNotOverwriteNewer(t *testing.T) {
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, test.NewTempApp(t), api)
	newer := sampleStatus()
	newer.FilesProtected = 2000
	u.apply(2, newer, nil)
	u.apply(1, sampleStatus(), nil)
	requireText(t, u.Window(), "Protecting 2,000 files")
}
