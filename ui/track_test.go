package ui

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
)

// The budget bar, the slider's track and the scale under it share one
// origin and one width, so the thumb sits on the bar's edge and over the
// size it sends.
func TestSliderTrackAlignsWithBudgetBar(t *testing.T) {
	u, _, s := spaceUI(t)
	sp := u.view.space
	d := fyne.CurrentApp().Driver()
	end := sliderInset(s.Theme())
	near := func(what string, got, want float32) {
		t.Helper()
		if math.Abs(float64(got-want)) > 1 {
			t.Errorf("%s at x=%.1f, want x=%.1f", what, got, want)
		}
	}

	trackStart := d.AbsolutePositionForObject(s).X + end
	trackWidth := s.Size().Width - 2*end
	barStart := d.AbsolutePositionForObject(sp.bar).X
	near("the bar starts", barStart, trackStart)
	near("the bar ends", barStart+sp.bar.Size().Width, trackStart+trackWidth)
	near("the scale starts", d.AbsolutePositionForObject(sp.ticks).X, trackStart)
	near("the scale ends", d.AbsolutePositionForObject(sp.ticks).X+sp.ticks.Size().Width, trackStart+trackWidth)

	for _, frac := range []float32{0.75, 0.3, 1} {
		dragTo(u.Window(), s, frac)
		thumb := trackStart + float32(s.Value/s.Max)*trackWidth
		near("the bar's edge", barStart+sp.bar.edge(1, sp.bar.Size().Width), thumb)
	}
}
