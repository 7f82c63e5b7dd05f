package ui

import (
	"context"
	"reflect"
	"testing"

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
		{1234, 48_000_000, "Protecting 1,234 files · 48 MB"},
		{1_234_567, 3_500_000_000_000, "Protecting 1,234,567 files · 3.5 TB"},
	} {
		got := TrayTitle(control.Status{FilesProtected: tc.files, BytesHeld: tc.bytes})
		if got != tc.want {
			t.Errorf("TrayTitle(%d files, %d bytes) = %q, want %q", tc.files, tc.bytes, got, tc.want)
		}
	}
}

func TestTrayMenuFollowsStatus(t *testing.T) {
	a := &trayApp{App: test.NewTempApp(t)}
	st := sampleStatus()
	st.BytesHeld = 48_000_000
	api := &fakeAPI{status: st}
	u := newTestUI(t, a, api)

	if a.menu == nil {
		t.Fatal("no tray menu set")
	}
	if a.icon != assets.AppIcon {
		t.Errorf("tray icon before the first status is %v, want the app icon", a.icon.Name())
	}
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"Protecting 1,234 files · 48 MB", "Up to date", "Pause", "Open Shardkeeper"}
	if got := menuLabels(a.menu); !reflect.DeepEqual(got, want) {
		t.Fatalf("tray menu %q, want %q", got, want)
	}
	if !a.menu.Items[1].Disabled {
		t.Error("state line is clickable; want a disabled item")
	}
	if a.icon != assets.TrayActive {
		t.Errorf("tray icon %s, want %s", a.icon.Name(), assets.TrayActive.Name())
	}

	// An unchanged status must not rebuild the native menu (it flickers).
	before := a.menuSet
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.menuSet != before {
		t.Errorf("tray menu re-set %d times for an unchanged status", a.menuSet-before)
	}

	menuItem(t, a.menu, "Pause").Action()
	if _, pauses, _ := api.calls(); pauses != 1 {
		t.Fatalf("tray Pause called Pause %d times, want 1", pauses)
	}
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	menuItem(t, a.menu, "Resume")
	if a.menu.Items[1].Label != "Paused" || a.icon != assets.TrayPaused {
		t.Errorf("after pausing: state %q icon %s, want Paused and %s", a.menu.Items[1].Label, a.icon.Name(), assets.TrayPaused.Name())
	}

	api.set(func(f *fakeAPI) { f.statusErr = errNoSocket })
	_ = u.Refresh(context.Background())
	if a.icon != assets.TrayAttention {
		t.Errorf("agent unreachable: tray icon %s, want %s", a.icon.Name(), assets.TrayAttention.Name())
	}
	if got := a.menu.Items[1].Label; got != "Can't reach the Shardkeeper agent" {
		t.Errorf("agent unreachable: state line %q", got)
	}
	if !menuItem(t, a.menu, "Resume").Disabled {
		t.Error("Resume enabled while the agent is unreachable")
	}

	api.set(func(f *fakeAPI) { f.statusErr, f.status = nil, control.Status{State: control.StateOffline} })
	_ = u.Refresh(context.Background())
	if a.icon != assets.TrayAttention {
		t.Errorf("agent offline: tray icon %s, want %s", a.icon.Name(), assets.TrayAttention.Name())
	}
}

func TestClosingWindowHidesToTray(t *testing.T) {
	a := &trayApp{App: test.NewTempApp(t)}
	u := newTestUI(t, a, &fakeAPI{status: sampleStatus()})
	w := u.Window().(*spyWindow)
	if a.trayWin != w {
		t.Error("window not registered as the tray's window")
	}
	w.Show()
	if w.intercept == nil {
		t.Fatal("no close intercept: closing the window would quit the app")
	}
	w.intercept()
	if w.shown {
		t.Error("closing the window did not hide it")
	}
	menuItem(t, a.menu, "Open Shardkeeper").Action()
	if !w.shown {
		t.Error("Open Shardkeeper did not show the window")
	}
}

func TestNoTrayWithoutDesktopApp(t *testing.T) {
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{})
	if u.tray != nil {
		t.Error("tray built for an app without a system tray")
	}
}
