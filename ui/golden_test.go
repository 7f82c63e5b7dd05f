package ui

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// Golden images of the main screens, at 1280×800 (the smallest laptop
// screen the window must read well on). Deterministic: a fixed theme
// variant, fixed sizes, the fake clock and fixed data. When a screen
// changes on purpose, delete its testdata/NAME.png, run the tests, look at
// testdata/failed/NAME.png and move it to testdata/NAME.png.

// fixedVariant is Fyne's default theme in one variant, whatever the test
// app's settings say.
type fixedVariant struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t fixedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// capture lays the window out again first, as a real window does before
// every frame when some content's minimum size changed (the test canvas
// lays out only on resize).
func capture(w fyne.Window) image.Image {
	w.Content().Refresh()
	for _, o := range w.Canvas().Overlays().List() {
		o.Refresh()
	}
	return w.Canvas().Capture()
}

func goldenApp(t *testing.T, v fyne.ThemeVariant) *recordingApp {
	a := newRecordingApp(t)
	a.Settings().SetTheme(fixedVariant{theme.DefaultTheme(), v})
	return a
}

// goldenStatus is a donor mid-fetch, with a problem and a drive away.
func goldenStatus() control.Status {
	st := sampleStatus()
	st.State = control.StateFetching
	st.Transfers = []control.Transfer{
		{Shard: "pd-books-01", Key: "K1", File: "austen/persuasion.epub", DoneBytes: 420_000, TotalBytes: 640_000, BytesPerSec: 2_400_000},
		{Shard: "pd-books-01", Key: "K2", File: "dickens/hard-times.epub", DoneBytes: 120_000, TotalBytes: 700_000, BytesPerSec: 1_700_000},
	}
	st.Locations = append(st.Locations, control.Location{Path: "/media/donor/Backup/Shardkeeper", Online: false,
		OfflineSince: at("2026-03-13 18:00:00"), LastVerified: at("2026-02-20 10:00:00")})
	return st
}

func goldenUI(t *testing.T, v fyne.ThemeVariant) *testUI {
	t.Helper()
	api := &fakeAPI{status: goldenStatus(), files: sampleFiles(), log: []string{
		`time=2026-03-14T13:58:01Z level=INFO msg="fetched" shard=pd-books-01 file=austen/emma.epub bytes=812000`,
		`time=2026-03-14T13:58:40Z level=WARN msg="could not fetch a file" shard=pd-books-01 file=dickens/hard-times.epub err="connection refused"`,
		`time=2026-03-14T13:59:10Z level=INFO msg="pushed" shard=pd-books-01`,
	}, settings: control.Settings{BandwidthKBps: 2000, Schedule: "01:00-07:00", PauseOnBattery: true,
		PauseOnMetered: true, StartAtLogin: true, VerifyEveryDays: 30, DisplayName: "Ann"}}
	u := newTestUI(t, goldenApp(t, v), api)
	u.Window().Resize(fyne.NewSize(1280, 800))
	refresh(t, u)
	for _, ev := range []control.Event{
		{Time: testNow.Add(-3 * 60e9), Kind: control.EventFetched, Message: "Fetched austen/emma.epub (812 kB)"},
		{Time: testNow.Add(-2 * 60e9), Kind: control.EventError,
			Message: "Could not fetch dickens/hard-times.epub: dial tcp 192.0.2.7:443: connect: connection refused", Cause: control.CauseNetwork},
		{Time: testNow.Add(-60e9), Kind: control.EventHub, Message: "Reported 1,234 files to the hub"},
	} {
		u.onEvent(ev)
	}
	return u
}

func TestGoldenScreens(t *testing.T) {
	u := goldenUI(t, theme.VariantLight)
	for i, name := range []string{"overview", "space", "browse", "activity", "settings"} {
		selectTab(u, i)
		if name == "browse" {
			u.view.browse.tree.Select("pd-books-01/austen/emma.epub")
		}
		test.AssertImageMatches(t, name+".png", capture(u.Window()))
	}
}

// The raw log, behind "Show details": wrapped, never cut off.
func TestGoldenActivityDetails(t *testing.T) {
	u := goldenUI(t, theme.VariantLight)
	selectTab(u, 3)
	test.Tap(u.view.activity.details)
	test.AssertImageMatches(t, "activity_details.png", capture(u.Window()))
}

func TestGoldenOverviewDark(t *testing.T) {
	u := goldenUI(t, theme.VariantDark)
	test.AssertImageMatches(t, "overview_dark.png", capture(u.Window()))
}

func TestGoldenPauseConfirmRelease(t *testing.T) {
	u := goldenUI(t, theme.VariantLight)
	u.Window().Resize(fyne.NewSize(1024, 700))
	selectTab(u, 1)
	api := u.api.(*fakeAPI)
	api.release = control.BudgetPlan{ReleaseBytes: 1_200_000_000, ReleaseFiles: 34}
	dragTo(u.Window(), u.view.space.slider, 0.75) // 100 GB
	test.AssertImageMatches(t, "space_confirm.png", capture(u.Window()))
}

func TestGoldenFirstRun(t *testing.T) {
	a := goldenApp(t, theme.VariantLight)
	f := NewFirstRun(a, &fakeJoiner{}, FirstRunOptions{
		Hub: "https://hub.example.org", Storage: "/home/donor/Shardkeeper", GOOS: "linux",
		LookPath: found, Start: nil,
	})
	f.goAsync = func(fn func()) { fn() }
	f.Window().Resize(fyne.NewSize(760, 560))
	defer f.Stop()
	w := f.Window()
	test.AssertImageMatches(t, "firstrun_welcome.png", capture(w))
	test.Tap(findButton(t, w, "Next"))
	test.AssertImageMatches(t, "firstrun_storage.png", capture(w))
	test.Tap(findButton(t, w, "Next"))
	test.AssertImageMatches(t, "firstrun_budget.png", capture(w))

	missing := NewFirstRun(a, &fakeJoiner{}, FirstRunOptions{GOOS: "linux", OSRelease: "ID=debian",
		LookPath: func(n string) (string, error) { return "", errNoSocket }})
	missing.Window().Resize(fyne.NewSize(760, 560))
	defer missing.Stop()
	test.AssertImageMatches(t, "firstrun_missing_git_annex.png", capture(missing.Window()))
}
