package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// fakeJoiner joins nothing: it records the request and reports 500 GB free
// under /home, and no such folder elsewhere.
type fakeJoiner struct {
	joins   []string
	budgets []int64
	err     error
}

func (j *fakeJoiner) Join(ctx context.Context, hub, storage string, budget int64) error {
	j.joins = append(j.joins, hub+" "+storage)
	j.budgets = append(j.budgets, budget)
	return j.err
}

func (j *fakeJoiner) FreeSpace(path string) (int64, error) {
	if !strings.HasPrefix(path, "/home/") {
		return 0, errors.New("no such folder: " + path)
	}
	return 500_000_000_000, nil
}

func found(string) (string, error) { return "/usr/bin/x", nil }

func newTestFirstRun(t *testing.T, j Joiner, api control.API, opts FirstRunOptions) *FirstRun {
	t.Helper()
	a := newRecordingApp(t)
	if opts.Hub == "" {
		opts.Hub = "https://hub.example.org"
	}
	opts.Storage = "/home/donor/Shardkeeper"
	opts.UI = Options{Now: fixedNow, TrayHost: func() bool { return true }}
	if opts.LookPath == nil {
		opts.LookPath = found
	}
	if opts.GOOS == "" {
		opts.GOOS = "linux"
	}
	starts := 0
	opts.Start = func(ctx context.Context) (control.API, error) {
		starts++
		return api, nil
	}
	f := NewFirstRun(a, j, opts)
	f.goAsync = func(fn func()) { fn() }
	f.startUI = func(u *UI) {
		tu := &testUI{UI: u}
		makeInline(tu)
		if err := u.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	f.Window().Resize(fyne.NewSize(760, 560))
	t.Cleanup(f.Stop)
	return f
}

func TestFirstRunWizardCompletes(t *testing.T) {
	j := &fakeJoiner{}
	api := &fakeAPI{status: sampleStatus()}
	f := newTestFirstRun(t, j, api, FirstRunOptions{})
	w := f.Window()

	requireText(t, w, "Keep public archives alive")
	requireText(t, w, "Step 1 of 4")
	test.Tap(findButton(t, w, "Next"))

	requireText(t, w, "Where should Shardkeeper keep files?")
	requireText(t, w, "500 GB free on this drive")
	f.storage.SetText("/mnt/nowhere")
	requireText(t, w, "Can't use this folder: no such folder: /mnt/nowhere")
	test.Tap(findButton(t, w, "Next"))
	requireText(t, w, "Where should Shardkeeper keep files?") // can't go on without free space
	f.storage.SetText("/home/donor/Shardkeeper")
	test.Tap(findButton(t, w, "Next"))

	requireText(t, w, "How much space will you give?")
	requireText(t, w, "Up to 50.0 GB (10% of the free space)")
	s, _ := find(w, func(*widget.Slider) bool { return true })
	dragTo(w, s, 0.40)
	requireText(t, w, "Up to 200 GB (40% of the free space)")
	test.Tap(findButton(t, w, "Next"))

	requireText(t, w, "Ready to join")
	requireText(t, w, "up to 200 GB")
	test.Tap(findButton(t, w, "Join"))
	if len(j.joins) != 1 || j.joins[0] != "https://hub.example.org /home/donor/Shardkeeper" || j.budgets[0] != 200_000_000_000 {
		t.Fatalf("Join calls %q with budgets %v", j.joins, j.budgets)
	}
	// The same window now shows the agent at work.
	if f.UI() == nil || f.UI().Window() != w {
		t.Fatal("no main UI in the wizard's window after joining")
	}
	requireText(t, w, "Protecting 1,234 files · 12.0 GB")
	requireText(t, w, "Up to date")
	if len(api.updated) != 1 || !api.updated[0].StartAtLogin {
		t.Errorf("settings updates %+v, want one turning start at login on", api.updated)
	}
}

func TestFirstRunOffersStartAtLogin(t *testing.T) {
	for _, on := range []bool{true, false} {
		api := &fakeAPI{status: sampleStatus()}
		f := newTestFirstRun(t, &fakeJoiner{}, api, FirstRunOptions{})
		w := f.Window()
		test.Tap(findButton(t, w, "Next"))
		test.Tap(findButton(t, w, "Next"))
		test.Tap(findButton(t, w, "Next"))
		requireText(t, w, "Ready to join")
		c, ok := find(w, func(c *widget.Check) bool { return c.Text == startAtLoginOffer })
		if !ok || !c.Checked {
			t.Fatalf("the last step does not offer to start at login (checked by default)")
		}
		if !on {
			test.Tap(c)
		}
		test.Tap(findButton(t, w, "Join"))
		if got := len(api.updated) == 1 && api.updated[0].StartAtLogin; got != on {
			t.Errorf("offer accepted %v: settings updates %+v", on, api.updated)
		}
	}
}

func TestFirstRunStartAtLoginFailureIsShown(t *testing.T) {
	api := &fakeAPI{status: sampleStatus(), actionErr: errors.New("no service manager here")}
	f := newTestFirstRun(t, &fakeJoiner{}, api, FirstRunOptions{})
	w := f.Window()
	for range 3 {
		test.Tap(findButton(t, w, "Next"))
	}
	test.Tap(findButton(t, w, "Join"))
	if f.UI() == nil {
		t.Fatal("a failed start-at-login stopped the join")
	}
	requireTextContaining(t, w, "Couldn't make Shardkeeper start at login: no service manager here")
}

func TestFirstRunOnWindowsSaysHowToGetGitAnnex(t *testing.T) {
	noAnnex := func(name string) (string, error) {
		if name == "git-annex" {
			return "", errors.New("not found")
		}
		return `C:\Program Files\Git\cmd\` + name + ".exe", nil
	}
	f := newTestFirstRun(t, &fakeJoiner{}, &fakeAPI{}, FirstRunOptions{LookPath: noAnnex, GOOS: "windows"})
	w := f.Window()
	requireText(t, w, "Shardkeeper needs git-annex")
	requireTextContaining(t, w, "(missing: git-annex)")
	requireTextContaining(t, w, "Install Git for Windows (https://git-scm.com/download/win), then git-annex from https://git-annex.branchable.com/install/Windows/")
	if _, ok := find(w, func(b *widget.Button) bool { return b.Text == "Check again" }); !ok {
		t.Error("no way to check again after installing")
	}
}

func TestFirstRunJoinFailureIsShown(t *testing.T) {
	j := &fakeJoiner{err: errors.New("register with the hub: connection refused")}
	f := newTestFirstRun(t, j, &fakeAPI{}, FirstRunOptions{})
	w := f.Window()
	test.Tap(findButton(t, w, "Next"))
	test.Tap(findButton(t, w, "Next"))
	test.Tap(findButton(t, w, "Next"))
	test.Tap(findButton(t, w, "Join"))
	requireText(t, w, "Couldn't join: register with the hub: connection refused")
	if findButton(t, w, "Join").Disabled() || findButton(t, w, "Back").Disabled() {
		t.Error("after a failed join the donor can't retry or go back")
	}
	if f.UI() != nil {
		t.Error("main UI shown after a failed join")
	}
}

func TestFirstRunNeedsAHub(t *testing.T) {
	f := newTestFirstRun(t, &fakeJoiner{}, &fakeAPI{}, FirstRunOptions{Hub: " "})
	f.hub.SetText("")
	test.Tap(findButton(t, f.Window(), "Next"))
	requireText(t, f.Window(), "Which archive?")
}

func TestFirstRunSaysWhatToInstall(t *testing.T) {
	have := false
	lookPath := func(name string) (string, error) {
		if name == "git-annex" && !have {
			return "", errors.New("not found")
		}
		return "/usr/bin/" + name, nil
	}
	f := newTestFirstRun(t, &fakeJoiner{}, &fakeAPI{}, FirstRunOptions{LookPath: lookPath, OSRelease: "ID=ubuntu\nID_LIKE=debian"})
	w := f.Window()
	requireText(t, w, "Shardkeeper needs git-annex")
	requireText(t, w, "sudo apt install git-annex")
	requireTextContaining(t, w, "(missing: git-annex)")

	test.Tap(findButton(t, w, "Check again"))
	requireText(t, w, "Shardkeeper needs git-annex")
	have = true
	test.Tap(findButton(t, w, "Check again"))
	requireText(t, w, "Keep public archives alive")
}
