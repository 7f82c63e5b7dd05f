package ui

import (
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestOverviewShowsStatus(t *testing.T) {
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, test.NewTempApp(t), api)
	w := u.Window()

	requireText(t, w, "Connecting to the Shardkeeper agent…")
	if hasTextContaining(w, "donated space used") {
		t.Error("shows zeros before the agent has answered")
	}
	refresh(t, u)

	for _, want := range []string{
		"Protecting 1,234 files · 12.0 GB",
		"Up to date",
		"12.0 GB of 200 GB donated space used",
		"321 of your files have fewer than 3 copies anywhere else: you are one of their few copies.",
		"Archive hub: https://hub.example.org",
		"Last checked 5 minutes ago",
		"/home/donor/Shardkeeper",
		"Verified 3 days ago · next check 3 weeks from now",
		"Busiest day: 3.1 GB",
		"6.1 GB fetched in the last 7 days.",
		"Shard", "Files held", "Size",
		"pd-books-01", "1,200 of 1,500 files", "9.0 GB",
		"pd-maps-07", "34 of 40 files", "3.0 GB",
		"Pause…", "Verify now",
	} {
		requireText(t, w, want)
	}
	bar, ok := find(w, func(p *widget.ProgressBar) bool { return true })
	if !ok || math.Abs(bar.Value-0.06) > 1e-9 {
		t.Errorf("donated space bar %+v, want value 0.06", bar)
	}
}

func TestOverviewPauseMenuAndResume(t *testing.T) {
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, test.NewTempApp(t), api)
	w := u.Window()
	refresh(t, u)

	test.Tap(findButton(t, w, "Pause…"))
	requireText(t, w, "3 hours") // the menu opened under the button
	menuItem(t, u.view.overview.pauseMenu, "3 hours").Action()
	if len(api.pausedUntil) != 1 || !api.pausedUntil[0].Equal(testNow.Add(3*time.Hour)) {
		t.Fatalf("PauseUntil %v, want 17:00", api.pausedUntil)
	}
	requireText(t, w, "Paused — resumes at 17:00")
	test.Tap(findButton(t, w, "Resume"))
	if _, _, resumes := api.calls(); resumes != 1 {
		t.Fatalf("Resume called %d times", resumes)
	}
	requireText(t, w, "Up to date")
}

func TestOverviewVerify(t *testing.T) {
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, test.NewTempApp(t), api)
	w := u.Window()
	refresh(t, u)
	test.Tap(findButton(t, w, "Verify now"))
	if api.verifies != 1 {
		t.Fatalf("Verify called %d times", api.verifies)
	}
	requireText(t, w, "Verifying 0%")
	if !findButton(t, w, "Verify now").Disabled() {
		t.Error("Verify now enabled while a verification runs")
	}
	api.set(func(f *fakeAPI) { f.status.Verifying = &control.Progress{Done: 506, Total: 1234, Percent: 41} })
	refresh(t, u)
	requireText(t, w, "Verifying 41%")
}

func TestOverviewOfflineDrive(t *testing.T) {
	st := sampleStatus()
	st.Locations[0].Online = false
	st.Locations[0].Path = "/media/donor/Backup/Shardkeeper"
	st.Locations[0].OfflineSince = at("2026-03-14 12:00:00")
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{status: st})
	refresh(t, u)
	requireText(t, u.Window(), "Drive 'Backup' not connected")
	requireText(t, u.Window(), "Drive 'Backup' not connected since 2 hours ago")
}
