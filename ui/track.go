package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// minSliderWidth keeps the slider usable on a nearly full drive, where the
// part Shardkeeper could use is a sliver of the bar.
const minSliderWidth = 160

// trackLayout puts the budget slider under the disk bar so that its track
// spans exactly the part of the bar Shardkeeper could use: the thumb sits
// right under the bar's budget mark. objects are the bar, then the slider.
type trackLayout struct {
	slider *widget.Slider
	frac   float32 // usable bytes / the drive's total, 0..1
}

// end is the slider's inset from its edges to its track (fyne's Slider
// keeps the thumb's radius and the inner padding at both ends).
func (l *trackLayout) end() float32 {
	th := l.slider.Theme()
	return (th.Size(theme.SizeNameInlineIcon)-4)/2 + th.Size(theme.SizeNameInnerPadding) - 1.5
}

func (l *trackLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	bar, slider := objects[0], objects[1]
	end := l.end()
	barH := bar.MinSize().Height
	bar.Move(fyne.NewPos(end, 0))
	bar.Resize(fyne.NewSize(max(size.Width-2*end, 0), barH))
	w := max(2*end+l.frac*(size.Width-2*end), min(minSliderWidth, size.Width))
	slider.Move(fyne.NewPos(0, barH))
	slider.Resize(fyne.NewSize(w, slider.MinSize().Height))
}

func (l *trackLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	bar, slider := objects[0].MinSize(), objects[1].MinSize()
	return fyne.NewSize(max(bar.Width+2*l.end(), slider.Width), bar.Height+slider.Height)
}
