package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// choosingJoiner is a fakeJoiner whose hub has two collections.
type choosingJoiner struct {
	fakeJoiner
	choices []JoinChoice
}

func (j *choosingJoiner) Collections(ctx context.Context, hub string) ([]Collection, error) {
	return []Collection{
		{Name: "B", Description: "Live concert recordings", Files: 1200, Bytes: 800e9, FilesBelowTarget: 900, BytesLackingCopies: 600e9},
		{Name: "A", Description: "Software", Files: 5000, Bytes: 2e12, FilesBelowTarget: 400, BytesLackingCopies: 200e9},
	}, nil
}

func (j *choosingJoiner) JoinWith(ctx context.Context, c JoinChoice) error {
	j.choices = append(j.choices, c)
	return j.err
}

// TestFirstRunChoosesCollection: the wizard lists the hub's collections
// with their need as bars, offers "wherever it is needed most" (chosen at
// first) and the region the time zone suggests, and joins with the
// donor's choice.
func TestFirstRunChoosesCollection(t *testing.T) {
	j := &choosingJoiner{}
	f := newTestFirstRun(t, j, &fakeAPI{status: sampleStatus()}, FirstRunOptions{Region: "europe"})
	w := f.Window()
	test.Tap(findButton(t, w, "Next"))
	requireText(t, w, "What will you protect?")
	requireText(t, w, "B — Live concert recordings")
	bars := map[string]float64{}
	walkWindow(w, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.ProgressBar); ok {
			bars[b.TextFormatter()] = b.Value
		}
	})
	if bars["75% lacks copies (900 of 1200 files)"] != 0.75 || bars["10% lacks copies (400 of 5000 files)"] != 0.1 {
		t.Fatalf("need bars %v", bars)
	}
	pick, ok := find(w, func(r *widget.RadioGroup) bool { return true })
	if !ok || pick.Selected != neediest || len(pick.Options) != 3 {
		t.Fatalf("choices %+v", pick)
	}
	sel, _ := find(w, func(s *widget.Select) bool { return true })
	if sel.Selected != "europe" {
		t.Errorf("suggested region %q, want europe", sel.Selected)
	}
	pick.SetSelected("B")
	sel.SetSelected("south-america")
	test.Tap(findButton(t, w, "Next")) // storage
	test.Tap(findButton(t, w, "Next")) // budget
	test.Tap(findButton(t, w, "Next")) // join
	requireText(t, w, "B")
	requireText(t, w, "south-america")
	test.Tap(findButton(t, w, "Join"))
	if len(j.choices) != 1 || j.choices[0].Collection != "B" || j.choices[0].Region != "south-america" || len(j.joins) != 0 {
		t.Fatalf("joined with %+v (plain joins %v)", j.choices, j.joins)
	}

	// "Wherever it is needed most" and no region join without either.
	j2 := &choosingJoiner{}
	f2 := newTestFirstRun(t, j2, &fakeAPI{status: sampleStatus()}, FirstRunOptions{Region: "europe"})
	w2 := f2.Window()
	test.Tap(findButton(t, w2, "Next"))
	sel2, _ := find(w2, func(s *widget.Select) bool { return true })
	sel2.SetSelected(regionNotSaid)
	for range 3 {
		test.Tap(findButton(t, w2, "Next"))
	}
	requireText(t, w2, neediest)
	test.Tap(findButton(t, w2, "Join"))
	if len(j2.choices) != 1 || j2.choices[0].Collection != "" || j2.choices[0].Region != "" {
		t.Fatalf("joined with %+v", j2.choices)
	}
}

// TestGoldenFirstRunCollections: the wizard's collection screen.
func TestGoldenFirstRunCollections(t *testing.T) {
	a := goldenApp(t, theme.VariantLight)
	f := NewFirstRun(a, &choosingJoiner{}, FirstRunOptions{
		Hub: "https://hub.example.org", Storage: "/home/donor/Shardkeeper", GOOS: "linux",
		LookPath: found, Region: "europe",
		Start: func(context.Context) (control.API, error) { return nil, nil },
	})
	f.goAsync = func(fn func()) { fn() }
	f.Window().Resize(fyne.NewSize(760, 560))
	defer f.Stop()
	test.Tap(findButton(t, f.Window(), "Next"))
	test.AssertImageMatches(t, "firstrun_collections.png", capture(f.Window()))
}
