package ui

import (
	"math"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// budgetSlider moves over the stops of a budgetScale: its value is a stop's
// index (a size between stops, typed in the limits, sits in between), a
// drag or a tap snaps to the nearest stop and the arrow keys go a stop at a
// time.
type budgetSlider struct {
	widget.Slider
}

func newBudgetSlider() *budgetSlider {
	s := &budgetSlider{}
	s.Step = 0 // any value: a typed size sits between stops; snap() does the steps
	s.Orientation = widget.Horizontal
	s.ExtendBaseWidget(s)
	return s
}

// snap moves the thumb to the stop nearest v and returns that stop. It
// runs in OnChanged, so the value OnChangeEnded reports is a stop too.
func (s *budgetSlider) snap(v float64) int {
	i := math.Round(v)
	if s.Value != i {
		s.Value = i
		s.Refresh()
	}
	return int(i)
}

// TypedKey goes to the next or the previous stop.
func (s *budgetSlider) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyRight, fyne.KeyUp:
		s.SetValue(math.Floor(s.Value) + 1)
	case fyne.KeyLeft, fyne.KeyDown:
		s.SetValue(math.Ceil(s.Value) - 1)
	default:
		s.Slider.TypedKey(k)
	}
}

// sliderInset is how far fyne's Slider keeps its track from its edges: the
// thumb's radius and the inner padding (Slider.endOffset).
func sliderInset(th fyne.Theme) float32 {
	return (th.Size(theme.SizeNameInlineIcon)-4)/2 + th.Size(theme.SizeNameInnerPadding) - 1.5
}

// trackLayout makes the budget bar, the slider and its scale one control:
// the bar and the scale span exactly the slider's track, so the thumb sits
// on the bar's edge and over its size on the scale. objects are the bar,
// the slider and the scale.
type trackLayout struct {
	slider *widget.Slider
}

func (l *trackLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	bar, slider, ticks := objects[0], objects[1], objects[2]
	end := sliderInset(l.slider.Theme())
	barH, sliderH := bar.MinSize().Height, slider.MinSize().Height
	bar.Move(fyne.NewPos(end, 0))
	bar.Resize(fyne.NewSize(max(size.Width-2*end, 0), barH))
	slider.Move(fyne.NewPos(0, barH))
	slider.Resize(fyne.NewSize(size.Width, sliderH))
	ticks.Move(fyne.NewPos(end, barH+sliderH))
	ticks.Resize(fyne.NewSize(max(size.Width-2*end, 0), ticks.MinSize().Height))
}

func (l *trackLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	bar, slider, ticks := objects[0].MinSize(), objects[1].MinSize(), objects[2].MinSize()
	end := sliderInset(l.slider.Theme())
	return fyne.NewSize(max(bar.Width+2*end, slider.Width, ticks.Width+2*end), bar.Height+slider.Height+ticks.Height)
}

// insetLayout insets its objects by the slider's track inset, so the
// drive's bar lines up with the budget bar under it.
type insetLayout struct {
	slider *widget.Slider
}

func (l *insetLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	end := sliderInset(l.slider.Theme())
	for _, o := range objects {
		o.Move(fyne.NewPos(end, 0))
		o.Resize(fyne.NewSize(max(size.Width-2*end, 0), size.Height))
	}
}

func (l *insetLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	end := sliderInset(l.slider.Theme())
	var m fyne.Size
	for _, o := range objects {
		m = m.Max(o.MinSize())
	}
	return m.AddWidthHeight(2*end, 0)
}

// scaleTicks is the ruler under the budget slider: a short tick at every
// stop and its size under it; where they do not all fit, the sizes of some
// (1 GB, 10 GB, 100 GB and the most).
type scaleTicks struct {
	widget.BaseWidget
	scale budgetScale
}

func newScaleTicks() *scaleTicks {
	t := &scaleTicks{scale: newBudgetScale(0, 0)}
	t.ExtendBaseWidget(t)
	return t
}

// set runs on the UI thread.
func (t *scaleTicks) set(s budgetScale) {
	if slices.Equal(s.stops, t.scale.stops) {
		return
	}
	t.scale = s
	t.Refresh()
}

func (t *scaleTicks) CreateRenderer() fyne.WidgetRenderer {
	r := &scaleTicksRenderer{ticks: t}
	r.Refresh()
	return r
}

type scaleTicksRenderer struct {
	ticks  *scaleTicks
	marks  []*canvas.Rectangle
	labels []*canvas.Text // one per stop
}

const tickHeight = 4

func (r *scaleTicksRenderer) MinSize() fyne.Size {
	h := float32(tickHeight)
	if len(r.labels) > 0 {
		h += r.labels[0].MinSize().Height
	}
	return fyne.NewSize(0, h)
}

func (r *scaleTicksRenderer) Layout(size fyne.Size) {
	for i, m := range r.marks {
		m.Move(fyne.NewPos(r.x(i, size.Width)-0.5, 0))
		m.Resize(fyne.NewSize(1, tickHeight))
	}
	all := make([]int, len(r.labels))
	for i := range all {
		all[i] = i
	}
	if !r.place(all, size.Width, false) {
		r.place(r.ticks.scale.tickStops(), size.Width, true)
	}
}

func (r *scaleTicksRenderer) x(i int, width float32) float32 {
	s := r.ticks.scale
	return width * float32(s.frac(s.at(i)))
}

// place shows the labels of the stops idx, each centred under its stop and
// kept inside the ruler, and hides the others. A label that would touch
// the one before makes it give up (false) or, when crowded is true, is
// hidden; except the last (the most the donor can give), which hides the
// one before instead.
func (r *scaleTicksRenderer) place(idx []int, width float32, crowded bool) bool {
	for _, l := range r.labels {
		l.Hide()
	}
	gap := r.ticks.Theme().Size(theme.SizeNamePadding) * 2
	right := float32(math.Inf(-1))
	var prev *canvas.Text
	for n, i := range idx {
		l := r.labels[i]
		w := l.MinSize().Width
		lx := min(max(r.x(i, width)-w/2, 0), width-w)
		if lx < right+gap {
			switch {
			case !crowded:
				return false
			case n < len(idx)-1:
				continue
			}
			prev.Hide()
		}
		l.Move(fyne.NewPos(lx, tickHeight))
		l.Resize(l.MinSize())
		l.Show()
		right, prev = lx+w, l
	}
	return true
}

func (r *scaleTicksRenderer) Refresh() {
	th := r.ticks.Theme()
	c := th.Color(theme.ColorNamePlaceHolder, fyne.CurrentApp().Settings().ThemeVariant())
	r.marks, r.labels = r.marks[:0], r.labels[:0]
	for _, v := range r.ticks.scale.stops {
		r.marks = append(r.marks, canvas.NewRectangle(c))
		l := canvas.NewText(shortBytes(v), c)
		l.TextSize = th.Size(theme.SizeNameCaptionText)
		r.labels = append(r.labels, l)
	}
	r.Layout(r.ticks.Size())
	canvas.Refresh(r.ticks)
}

func (r *scaleTicksRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(r.marks)+len(r.labels))
	for _, m := range r.marks {
		objs = append(objs, m)
	}
	for _, l := range r.labels {
		objs = append(objs, l)
	}
	return objs
}

func (r *scaleTicksRenderer) Destroy() {}
