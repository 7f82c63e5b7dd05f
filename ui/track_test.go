package ui

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
)

// The slider's thumb sits right under the bar's budget mark: the slider's
// track spans the part of the drive Shardkeeper could use.
func TestSliderTrackAlignsWithDiskBar(t *testing.T) {
	u, _, s := spaceUI(t)
	sp := u.view.space
	d := fyne.CurrentApp().Driver()
	end := sp.track.end()

	thumb := d.AbsolutePositionForObject(s).X + end + float32(s.Value/s.Max)*(s.Size().Width-2*end)
	parts := sp.bar.parts
	mark := d.AbsolutePositionForObject(sp.bar).X + sp.bar.Size().Width*float32(float64(sp.bar.budget)/float64(parts.total()))
	if math.Abs(float64(thumb-mark)) > 1 {
		t.Errorf("thumb at x=%.1f, budget mark at x=%.1f", thumb, mark)
	}
	// The track ends where the usable part of the bar (held + free) ends.
	trackEnd := d.AbsolutePositionForObject(s).X + s.Size().Width - end
	want := d.AbsolutePositionForObject(sp.bar).X + sp.bar.Size().Width*float32(float64(usableBytes(sp.budget))/float64(parts.total()))
	if math.Abs(float64(trackEnd-want)) > 1 {
		t.Errorf("track ends at x=%.1f, the usable part of the bar at x=%.1f", trackEnd, want)
	}
}
