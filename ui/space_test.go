package ui

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// spaceUI is a UI on the Space tab, showing sampleStatus: the slider spans
// the 400 GB Shardkeeper could use (12 GB held + 388 GB available) and
// sits at the 200 GB size limit.
func spaceUI(t *testing.T) (*testUI, *fakeAPI, *widget.Slider) {
	t.Helper()
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, test.NewTempApp(t), api)
	refresh(t, u)
	selectTab(u, 1)
	s, ok := find(u.Window(), func(*widget.Slider) bool { return true })
	if !ok {
		t.Fatal("no slider on the Space tab")
	}
	if s.Max != 400e9 || s.Value != 200e9 {
		t.Fatalf("slider %v of %v, want 200e9 of 400e9", s.Value, s.Max)
	}
	return u, api, s
}

// dragTo drags the slider to a fraction of its track. test.Drag sends one
// drag event at the start position, and the slider takes its value from
// that position, measured along its track: the thumb's radius and the inner
// padding are cut off at both ends (fyne's Slider.getRatio), so 3/4 of the
// track is a little left of 3/4 of the width.
func dragTo(w fyne.Window, s *widget.Slider, frac float32) {
	th := s.Theme()
	end := (th.Size(theme.SizeNameInlineIcon)-4)/2 + th.Size(theme.SizeNameInnerPadding) - 1.5
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s)
	x := end + frac*(s.Size().Width-2*end)
	test.Drag(w.Canvas(), pos.AddXY(x, s.Size().Height/2), 1, 0)
}

func TestSpaceShowsDiskAndLimits(t *testing.T) {
	u, _, _ := spaceUI(t)
	w := u.Window()
	for _, want := range []string{
		"Your drive /home (1.0 TB): drag the slider to choose how much to give",
		"Used by Shardkeeper: 12.0 GB",
		"Free and available: 378 GB",
		"Reserved free: 30.0 GB", // keep 10 GB free + 20 GB the system keeps
		"Used by other programs: 580 GB",
		"Donate up to 200 GB (50% of the space Shardkeeper could use)",
		"applies now",
		"Shardkeeper may use up to 200 GB now: the limit that applies is your size limit, 200 GB.",
	} {
		requireText(t, w, want)
	}
	for e, want := range map[*widget.Entry]string{
		u.view.space.maxBytes: "200 GB", u.view.space.keepFree: "10.0 GB", u.view.space.maxPercent: "",
	} {
		if e.Text != want {
			t.Errorf("limit field %q, want %q", e.Text, want)
		}
	}
}

// Dragging the slider to 75% raises the size limit to 300 GB at once.
func TestSpaceSliderTo75PercentSetsBudget(t *testing.T) {
	u, api, s := spaceUI(t)
	dragTo(u.Window(), s, 0.75)

	want := control.Limits{MaxBytes: 300_000_000_000, KeepFreeBytes: 10_000_000_000}
	if !reflect.DeepEqual(api.budgets, []control.Limits{want}) {
		t.Fatalf("SetBudget calls %+v, want one with %+v", api.budgets, want)
	}
	if len(api.previews) != 0 {
		t.Errorf("raising the budget asked for a preview: %+v", api.previews)
	}
	if dialogOpen(u.Window()) {
		t.Error("raising the budget asked for a confirmation")
	}
	requireText(t, u.Window(), "Donate up to 300 GB (75% of the space Shardkeeper could use)")
	requireText(t, u.Window(), "Shardkeeper may use up to 300 GB now: the limit that applies is your size limit, 300 GB.")
}

// Lowering it first asks the agent what would be given back, and the donor.
func TestSpaceLoweringAsksFirst(t *testing.T) {
	u, api, s := spaceUI(t)
	w := u.Window()
	api.release = control.BudgetPlan{ReleaseBytes: 1_200_000_000, ReleaseFiles: 34}

	dragTo(w, s, 0.25)
	want := control.Limits{MaxBytes: 100_000_000_000, KeepFreeBytes: 10_000_000_000}
	if !reflect.DeepEqual(api.previews, []control.Limits{want}) {
		t.Fatalf("PreviewBudget calls %+v, want one with %+v", api.previews, want)
	}
	if len(api.budgets) != 0 {
		t.Fatalf("lowered without asking: %+v", api.budgets)
	}
	requireText(t, w, "Give space back?")
	requireTextContaining(t, w, "Shardkeeper gives back 1.2 GB now by deleting 34 files it holds.")

	// Polls while the dialog is open leave the slider where the donor put it.
	refresh(t, u)
	if s.Value != 100e9 {
		t.Errorf("a poll moved the slider to %v while the donor decides", s.Value)
	}

	findDialogButton(t, w, "Cancel").OnTapped()
	if len(api.budgets) != 0 {
		t.Fatalf("cancel still set the budget: %+v", api.budgets)
	}
	if s.Value != 200e9 {
		t.Errorf("after cancel the slider is at %v, want back at 200e9", s.Value)
	}

	dragTo(w, s, 0.25)
	findDialogButton(t, w, "Give back 1.2 GB").OnTapped()
	if !reflect.DeepEqual(api.budgets, []control.Limits{want}) {
		t.Fatalf("SetBudget calls %+v, want one with %+v", api.budgets, want)
	}
	requireText(t, w, "Donate up to 100 GB (25% of the space Shardkeeper could use)")
}

// A lower limit that frees nothing needs no confirmation.
func TestSpaceTypedLimits(t *testing.T) {
	u, api, _ := spaceUI(t)
	sp := u.view.space
	sp.keepFree.SetText("20 GB")
	sp.maxPercent.SetText("80 %")
	test.Tap(findButton(t, u.Window(), "Apply limits"))

	want := control.Limits{MaxBytes: 200_000_000_000, KeepFreeBytes: 20_000_000_000, MaxPercent: 80}
	if !reflect.DeepEqual(api.previews, []control.Limits{want}) || !reflect.DeepEqual(api.budgets, []control.Limits{want}) {
		t.Fatalf("previews %+v, budgets %+v; want both %+v", api.previews, api.budgets, want)
	}
	if dialogOpen(u.Window()) {
		t.Error("asked to confirm a change that frees nothing")
	}

	// Lowering asks first; the fields keep what the donor typed meanwhile.
	api.release = control.BudgetPlan{ReleaseBytes: 5_000_000_000, ReleaseFiles: 600}
	sp.maxBytes.SetText("150 GB")
	test.Tap(findButton(t, u.Window(), "Apply limits"))
	requireText(t, u.Window(), "Give space back?")
	if sp.maxBytes.Text != "150 GB" {
		t.Errorf("while asking, the size field says %q", sp.maxBytes.Text)
	}
	findDialogButton(t, u.Window(), "Cancel").OnTapped()
	if sp.maxBytes.Text != "200 GB" || len(api.budgets) != 1 {
		t.Errorf("after cancel: size field %q, SetBudget calls %d", sp.maxBytes.Text, len(api.budgets))
	}

	sp.maxPercent.SetText("120")
	test.Tap(findButton(t, u.Window(), "Apply limits"))
	requireText(t, u.Window(), `Couldn't change the limits: "120" is not a percentage: use a number from 0 to 100`)
	if len(api.budgets) != 1 {
		t.Errorf("an invalid limit was sent: %+v", api.budgets)
	}
}

func TestSpaceFailureIsShown(t *testing.T) {
	u, api, s := spaceUI(t)
	api.set(func(f *fakeAPI) { f.actionErr = errNoSocket })
	dragTo(u.Window(), s, 0.75)
	requireText(t, u.Window(), "Couldn't change the donated space: "+errNoSocket.Error())
	if s.Value != 200e9 {
		t.Errorf("after a failed change the slider is at %v, want back at 200e9", s.Value)
	}
}

func TestSpaceWithoutDiskPicture(t *testing.T) {
	st := sampleStatus()
	st.Budget = nil
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{status: st})
	refresh(t, u)
	selectTab(u, 1)
	requireText(t, u.Window(), "Waiting for the agent to describe the drive…")
	if _, ok := find(u.Window(), func(*widget.Slider) bool { return true }); ok {
		t.Error("a slider without a drive to measure it against")
	}
}

func TestLowers(t *testing.T) {
	cur := control.Limits{MaxBytes: 100, KeepFreeBytes: 10, MaxPercent: 50}
	for _, tc := range []struct {
		next control.Limits
		want bool
	}{
		{control.Limits{MaxBytes: 200, KeepFreeBytes: 10, MaxPercent: 50}, false},
		{control.Limits{MaxBytes: 0, KeepFreeBytes: 10, MaxPercent: 50}, false}, // no size limit
		{control.Limits{MaxBytes: 90, KeepFreeBytes: 10, MaxPercent: 50}, true},
		{control.Limits{MaxBytes: 100, KeepFreeBytes: 11, MaxPercent: 50}, true},
		{control.Limits{MaxBytes: 100, KeepFreeBytes: 10, MaxPercent: 40}, true},
		{control.Limits{MaxBytes: 100, KeepFreeBytes: 10, MaxPercent: 0}, false},
	} {
		if got := lowers(cur, tc.next); got != tc.want {
			t.Errorf("lowers(%+v, %+v) = %v, want %v", cur, tc.next, got, tc.want)
		}
	}
	if !lowers(control.Limits{}, control.Limits{MaxBytes: 5}) {
		t.Error("a first size limit does not count as lowering")
	}
}
