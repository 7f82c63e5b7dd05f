package ui

import (
	"reflect"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/assets"
)

func TestTrayTitle(t *testing.T) {
	for _, tc := range []struct {
		files, bytes int64
		want         string
	}{
		{0, 0, "Protecting 0 files · 0 B"},
		{1, 512, "Protecting 1 file · 512 B"},
		{2, 2_000, "Protecting 2 files · 2.0 kB"},
		{12_345, 48_200_000_000, "Protecting 12,345 files · 48.2 GB"},
		{1_234_567, 3_500_000_000_000, "Protecting 1,234,567 files · 3.5 TB"},
	} {
		got := TrayTitle(control.Status{FilesProtected: tc.files, BytesHeld: tc.bytes})
		if got != tc.want {
			t.Errorf("TrayTitle(%d files, %d bytes) = %q, want %q", tc.files, tc.bytes, got, tc.want)
		}
	}
}

func TestTrayMenuFollowsStatus(t *testing.T) {
	a := newRecordingApp(t)
	st := sampleStatus()
	st.FilesProtected, st.BytesHeld = 12_345, 48_200_000_000
	st.BudgetBytes, st.Budget.EffectiveBytes = 100_000_000_000, 100_000_000_000
	api := &fakeAPI{status: st}
	u := newTestUI(t, a, api)

	if a.menu == nil {
		t.Fatal("no tray menu set")
	}
	if a.icon != assets.AppIcon {
		t.Errorf("tray icon before the first status is %v, want the app icon", a.icon.Name())
	}
	refresh(t, u)
	want := []string{"Protecting 12,345 files · 48.2 GB", "Up to date", "", "Pause", "Open Shardkeeper", "Verify now", "",
		"Quit (keeps protecting in the background)"}
	if got := menuLabels(a.menu); !reflect.DeepEqual(got, want) {
		t.Fatalf("tray menu %q, want %q", got, want)
	}
	if !a.menu.Items[1].Disabled {
		t.Error("state line is clickable; want a disabled item")
	}
	if !a.menu.Items[len(a.menu.Items)-1].IsQuit {
		t.Error("the Quit item is not marked IsQuit: Fyne would append a second one")
	}
	pause := menuItem(t, a.menu, "Pause")
	if got := menuLabels(pause.ChildMenu); !reflect.DeepEqual(got, []string{"30 minutes", "1 hour", "3 hours", "Until tomorrow", "Until I resume"}) {
		t.Errorf("Pause ▸ %q", got)
	}
	if a.icon != assets.TrayActive {
		t.Errorf("tray icon %s, want %s", a.icon.Name(), assets.TrayActive.Name())
	}

	// An unchanged status must not rebuild the native menu (it flickers).
	before := a.menuSet
	refresh(t, u)
	if a.menuSet != before {
		t.Errorf("tray menu re-set %d times for an unchanged status", a.menuSet-before)
	}

	menuItem(t, pause.ChildMenu, "Until I resume").Action()
	if _, pauses, _ := api.calls(); pauses != 1 {
		t.Fatalf("Until I resume called Pause %d times, want 1", pauses)
	}
	menuItem(t, a.menu, "Resume")
	if a.menu.Items[1].Label != "Paused until you resume" || a.icon != assets.TrayPaused {
		t.Errorf("after pausing: state %q icon %s, want Paused until you resume and %s", a.menu.Items[1].Label, a.icon.Name(), assets.TrayPaused.Name())
	}
	if !menuItem(t, a.menu, "Verify now").Disabled {
		t.Error("Verify now enabled while paused (the agent would refuse)")
	}
	menuItem(t, a.menu, "Resume").Action()
	if _, _, resumes := api.calls(); resumes != 1 {
		t.Fatalf("Resume called %d times, want 1", resumes)
	}
	menuItem(t, a.menu, "Pause")

	menuItem(t, a.menu, "Verify now").Action()
	if api.verifies != 1 {
		t.Errorf("Verify now called Verify %d times, want 1", api.verifies)
	}
	if a.menu.Items[1].Label != "Verifying 0%" || !menuItem(t, a.menu, "Verify now").Disabled {
		t.Errorf("while verifying: state %q, Verify now enabled: %v", a.menu.Items[1].Label, !menuItem(t, a.menu, "Verify now").Disabled)
	}

	checkTrayWithoutAgent(t, a, u, api)
}

// checkTrayWithoutAgent: an agent that does not answer, or is offline,
// turns the tray icon to attention and says so.
func checkTrayWithoutAgent(t *testing.T, a *recordingApp, u *testUI, api *fakeAPI) {
	t.Helper()
	api.set(func(f *fakeAPI) { f.statusErr = errNoSocket })
	_ = u.Refresh(t.Context())
	if a.icon != assets.TrayAttention {
		t.Errorf("agent unreachable: tray icon %s, want %s", a.icon.Name(), assets.TrayAttention.Name())
	}
	if got := a.menu.Items[1].Label; got != "Can't reach the Shardkeeper agent" {
		t.Errorf("agent unreachable: state line %q", got)
	}
	if !menuItem(t, a.menu, "Pause").Disabled {
		t.Error("Pause enabled while the agent is unreachable")
	}

	api.set(func(f *fakeAPI) { f.statusErr, f.status = nil, control.Status{State: control.StateOffline} })
	_ = u.Refresh(t.Context())
	if a.icon != assets.TrayAttention {
		t.Errorf("agent offline: tray icon %s, want %s", a.icon.Name(), assets.TrayAttention.Name())
	}
}

// Pause ▸ 1 hour sends a timed pause ending an hour from the (fake) clock.
func TestTrayPauseForAnHour(t *testing.T) {
	a := newRecordingApp(t)
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, a, api)
	refresh(t, u)

	menuItem(t, menuItem(t, a.menu, "Pause").ChildMenu, "1 hour").Action()
	want := testNow.Add(time.Hour)
	if len(api.pausedUntil) != 1 || !api.pausedUntil[0].Equal(want) {
		t.Fatalf("PauseUntil calls %v, want one with %v", api.pausedUntil, want)
	}
	if _, pauses, _ := api.calls(); pauses != 0 {
		t.Errorf("a timed pause also called Pause %d times", pauses)
	}
	if got := a.menu.Items[1].Label; got != "Paused — resumes at 15:00" {
		t.Errorf("state line %q, want Paused — resumes at 15:00", got)
	}
	if a.icon != assets.TrayPaused {
		t.Errorf("tray icon %s, want %s", a.icon.Name(), assets.TrayPaused.Name())
	}
}

func TestTrayPauseChoices(t *testing.T) {
	a := newRecordingApp(t)
	for _, tc := range []struct {
		choice string
		want   time.Time
	}{
		{"30 minutes", testNow.Add(30 * time.Minute)},
		{"3 hours", testNow.Add(3 * time.Hour)},
		{"Until tomorrow", time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)},
	} {
		api := &fakeAPI{status: sampleStatus()}
		u := newTestUI(t, a, api)
		refresh(t, u)
		menuItem(t, menuItem(t, a.menu, "Pause").ChildMenu, tc.choice).Action()
		if len(api.pausedUntil) != 1 || !api.pausedUntil[0].Equal(tc.want) {
			t.Errorf("%s: PauseUntil %v, want %v", tc.choice, api.pausedUntil, tc.want)
		}
		u.Stop()
	}
}

func TestTrayQuitSaysWhatHappensToTheAgent(t *testing.T) {
	a := newRecordingApp(t)
	u := newTestUIWith(t, a, &fakeAPI{status: sampleStatus()}, Options{AgentInProcess: true})
	refresh(t, u)
	quit := a.menu.Items[len(a.menu.Items)-1]
	if quit.Label != "Quit (stops protecting until you reopen Shardkeeper)" {
		t.Errorf("in-process agent: quit item %q", quit.Label)
	}
	quit.Action()
	if a.quits != 1 {
		t.Errorf("Quit quit the app %d times", a.quits)
	}
}

func TestTrayAttentionWhenDriveMissing(t *testing.T) {
	a := newRecordingApp(t)
	st := sampleStatus()
	st.Locations = append(st.Locations, control.Location{Path: "/media/donor/Backup/shardkeeper", Online: false})
	u := newTestUI(t, a, &fakeAPI{status: st})
	refresh(t, u)
	if got := a.menu.Items[1].Label; got != "Drive 'Backup' not connected" {
		t.Errorf("state line %q", got)
	}
	if a.icon != assets.TrayAttention {
		t.Errorf("tray icon %s, want %s", a.icon.Name(), assets.TrayAttention.Name())
	}
}

func TestNoTrayWithoutDesktopApp(t *testing.T) {
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{})
	if u.tray != nil {
		t.Error("tray built for an app without a system tray")
	}
}
