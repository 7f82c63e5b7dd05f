package ui

import (
	"testing"
)

func TestClosingWindowHidesToTray(t *testing.T) {
	a := newRecordingApp(t)
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
	if w.shown || a.quits != 0 {
		t.Errorf("closing with a tray host: shown %v, quits %d; want hidden, running", w.shown, a.quits)
	}
	if got := a.titles(); len(got) != 1 || got[0] != "Shardkeeper is still running" {
		t.Errorf("notifications %q, want one saying it still runs", got)
	}
	w.Show()
	w.intercept()
	if len(a.notifications) != 1 {
		t.Error("told again that it still runs in the tray")
	}
	menuItem(t, a.menu, "Open Shardkeeper").Action()
	if !w.shown {
		t.Error("Open Shardkeeper did not show the window")
	}
}

// Without a tray host a hidden window could never come back: closing quits.
func TestClosingWithoutTrayHostQuits(t *testing.T) {
	a := newRecordingApp(t)
	u := newTestUIWith(t, a, &fakeAPI{status: sampleStatus()}, Options{TrayHost: func() bool { return false }})
	w := u.Window().(*spyWindow)
	w.Show()
	w.intercept()
	if a.quits != 1 {
		t.Errorf("closing with no tray host (agent service): quits %d, want 1", a.quits)
	}
}

// When quitting also stops the in-process agent, the donor is asked, and
// can keep the window.
func TestClosingWithoutTrayHostAsksWhenAgentInProcess(t *testing.T) {
	a := newRecordingApp(t)
	u := newTestUIWith(t, a, &fakeAPI{status: sampleStatus()},
		Options{TrayHost: func() bool { return false }, AgentInProcess: true})
	w := u.Window().(*spyWindow)
	w.Show()

	w.intercept()
	requireText(t, w, "Quit Shardkeeper?")
	findDialogButton(t, w, "Keep open").OnTapped()
	if a.quits != 0 || !w.shown {
		t.Fatalf("Keep open: quits %d, shown %v", a.quits, w.shown)
	}
	w.intercept()
	findDialogButton(t, w, "Quit").OnTapped()
	if a.quits != 1 {
		t.Errorf("Quit: quits %d, want 1", a.quits)
	}
}
