package ui

import (
	"math"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// spaceUI is a UI on the Space tab, showing sampleStatus: the slider's
// stops run 1, 2, 5, 10, 20, 50, 100, 200 GB and the 400 GB Shardkeeper
// could use (12 GB held + 388 GB available); it sits at the 200 GB size
// limit, the eighth stop.
func spaceUI(t *testing.T) (*testUI, *fakeAPI, *budgetSlider) {
	t.Helper()
	api := &fakeAPI{status: sampleStatus()}
	u := newTestUI(t, test.NewTempApp(t), api)
	refresh(t, u)
	selectTab(u, 1)
	s, ok := find(u.Window(), func(*budgetSlider) bool { return true })
	if !ok {
		t.Fatal("no slider on the Space tab")
	}
	if s.Max != 8 || s.Value != 7 {
		t.Fatalf("slider at %v of %v, want the stop 7 (200 GB) of 8 (400 GB)", s.Value, s.Max)
	}
	return u, api, s
}

// dragTo drags the slider to a fraction of its track. test.Drag sends one
// drag event at the start position, and the slider takes its value from
// that position, measured along its track: the thumb's radius and the inner
// padding are cut off at both ends (fyne's Slider.getRatio), so 3/4 of the
// track is a little left of 3/4 of the width.
func dragTo(w fyne.Window, s themedObject, frac float32) {
	end := sliderInset(s.Theme())
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s)
	x := end + frac*(s.Size().Width-2*end)
	test.Drag(w.Canvas(), pos.AddXY(x, s.Size().Height/2), 1, 0)
}

// themedObject is a slider: fyne's, or the Space tab's budgetSlider.
type themedObject interface {
	fyne.CanvasObject
	Theme() fyne.Theme
}

func TestSpaceShowsDiskAndLimits(t *testing.T) {
	u, _, _ := spaceUI(t)
	w := u.Window()
	for _, want := range []string{
		"Your drive /home (1.0 TB)",
		"Used by Shardkeeper: 12.0 GB",
		"Free and available: 378 GB",
		"Reserved free: 30.0 GB", // keep 10 GB free + 20 GB the system keeps
		"Used by other programs: 580 GB",
		"How much to give: drag the slider",
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

// Dragging the slider to its end raises the size limit to all the 400 GB
// Shardkeeper could use, at once.
func TestSpaceSliderToTheEndSetsBudget(t *testing.T) {
	u, api, s := spaceUI(t)
	dragTo(u.Window(), s, 1)

	want := control.Limits{MaxBytes: 400_000_000_000, KeepFreeBytes: 10_000_000_000}
	if !reflect.DeepEqual(api.budgets, []control.Limits{want}) {
		t.Fatalf("SetBudget calls %+v, want one with %+v", api.budgets, want)
	}
	if len(api.previews) != 0 {
		t.Errorf("raising the budget asked for a preview: %+v", api.previews)
	}
	if dialogOpen(u.Window()) {
		t.Error("raising the budget asked for a confirmation")
	}
	requireText(t, u.Window(), "Donate up to 400 GB (100% of the space Shardkeeper could use)")
	requireText(t, u.Window(), "Shardkeeper may use up to 400 GB now: the limit that applies is your size limit, 400 GB.")
}

// Wherever the donor lets go, the slider sends the size it shows there, in
// bytes; a small donation has room at the left and reads as more than 0%.
func TestSpaceSliderSendsTheSizeItShows(t *testing.T) {
	for i, c := range []struct {
		text  string
		bytes int64
	}{
		{"1.0 GB (0.3%", 1e9}, {"2.0 GB (0.5%", 2e9}, {"5.0 GB (1.3%", 5e9}, {"10.0 GB (2.5%", 10e9},
		{"20.0 GB (5%", 20e9}, {"50.0 GB (13%", 50e9}, {"100 GB (25%", 100e9},
	} {
		u, api, s := spaceUI(t)
		// A little off the stop: the slider snaps to the nearest one.
		dragTo(u.Window(), s, (float32(i)+0.3)/8)
		requireText(t, u.Window(), "Donate up to "+c.text+" of the space Shardkeeper could use)")
		want := control.Limits{MaxBytes: c.bytes, KeepFreeBytes: 10_000_000_000}
		if !reflect.DeepEqual(api.budgets, []control.Limits{want}) {
			t.Errorf("at stop %d: SetBudget calls %+v, want one with %+v", i, api.budgets, want)
		}
		if s.Value != float64(i) {
			t.Errorf("at stop %d: the thumb stays at %v", i, s.Value)
		}
	}
}

// The arrow keys go a stop at a time, also from a typed size between stops.
func TestSpaceSliderKeys(t *testing.T) {
	u, api, s := spaceUI(t)
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	requireText(t, u.Window(), "Donate up to 400 GB (100% of the space Shardkeeper could use)")

	api.set(func(f *fakeAPI) { f.status.Budget.MaxBytes = 150e9 })
	refresh(t, u)
	if got, want := s.Value, 6+math.Log(1.5)/math.Log(2); math.Abs(got-want) > 1e-9 {
		t.Errorf("150 GB sits at %v, want %v (between 100 and 200 GB)", got, want)
	}
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	want := control.Limits{MaxBytes: 100e9, KeepFreeBytes: 10e9}
	if last := api.budgets[len(api.budgets)-1]; last != want {
		t.Errorf("left from 150 GB sent %+v, want %+v", last, want)
	}
}

// Lowering it first asks the agent what would be given back, and the donor.
func TestSpaceLoweringAsksFirst(t *testing.T) {
	u, api, s := spaceUI(t)
	w := u.Window()
	api.release = control.BudgetPlan{ReleaseBytes: 1_200_000_000, ReleaseFiles: 34}

	dragTo(w, s, 0.75) // the stop 6 of 8
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
	if s.Value != 6 {
		t.Errorf("a poll moved the slider to %v while the donor decides", s.Value)
	}

	findDialogButton(t, w, "Cancel").OnTapped()
	if len(api.budgets) != 0 {
		t.Fatalf("cancel still set the budget: %+v", api.budgets)
	}
	if s.Value != 7 {
		t.Errorf("after cancel the slider is at %v, want back at 7 (200 GB)", s.Value)
	}

	dragTo(w, s, 0.75)
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
	dragTo(u.Window(), s, 1)
	requireText(t, u.Window(), "Couldn't change the donated space: "+errNoSocket.Error())
	if s.Value != 7 {
		t.Errorf("after a failed change the slider is at %v, want back at 7 (200 GB)", s.Value)
	}
}

func TestSpaceWithoutDiskPicture(t *testing.T) {
	st := sampleStatus()
	st.Budget = nil
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{status: st})
	refresh(t, u)
	selectTab(u, 1)
	requireText(t, u.Window(), "Waiting for the agent to describe the drive…")
	if _, ok := find(u.Window(), func(*budgetSlider) bool { return true }); ok {
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

// A drive with no room left has nothing to slide over.
func TestSpaceFullDrive(t *testing.T) {
	st := sampleStatus()
	st.Budget.Disk.AvailableBytes, st.Budget.Disk.UsedByShardkeeper = 0, 0
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{status: st})
	refresh(t, u)
	selectTab(u, 1)
	if !u.view.space.slider.Disabled() {
		t.Error("the slider can move on a full drive")
	}
	requireText(t, u.Window(), "The drive is full: free some space on it to donate.")
}

// A donation smaller than 1 GB (the demo gives 798 kB of 80 GB) still has
// room: the scale starts at its order of magnitude, and it reads as a share.
func TestSpaceSmallDonationHasRoom(t *testing.T) {
	st := sampleStatus()
	st.Budget.MaxBytes = 798_000
	st.Budget.Disk.UsedByShardkeeper, st.Budget.Disk.AvailableBytes = 791_000, 80e9
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{status: st})
	refresh(t, u)
	selectTab(u, 1)
	s := u.view.space.slider
	if f := s.Value / s.Max; f < 0.1 {
		t.Errorf("798 kB sits at %.0f%% of the slider, squeezed at its left end", 100*f)
	}
	requireText(t, u.Window(), "Donate up to 798 kB (less than 0.1% of the space Shardkeeper could use)")
	requireText(t, u.Window(), "100 kB") // the ruler starts there
}
