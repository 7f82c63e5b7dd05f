package ui

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// diskParts splits a drive, left to right, into what the donor cares about.
type diskParts struct {
	shardkeeper int64 // used by Shardkeeper
	free        int64 // free, and available to Shardkeeper
	reserved    int64 // free but off limits: the keep-free limit and the system's reserve
	others      int64 // used by other programs
}

func (p diskParts) total() int64 { return p.shardkeeper + p.free + p.reserved + p.others }

// splitDisk reads the agent's disk picture. The filesystem's own reserve
// (root-only blocks) is what total leaves after used and available space.
func splitDisk(b control.Budget) diskParts {
	d := b.Disk
	avail := max(d.AvailableBytes, 0)
	keep := min(max(b.KeepFreeBytes, 0), avail)
	system := max(d.TotalBytes-d.UsedByShardkeeper-d.UsedByOthers-avail, 0)
	return diskParts{
		shardkeeper: max(d.UsedByShardkeeper, 0),
		free:        avail - keep,
		reserved:    keep + system,
		others:      max(d.UsedByOthers, 0),
	}
}

// usableBytes is the most Shardkeeper could ever hold on this drive: what it
// holds plus all that is available. The budget slider spans 0 to this.
func usableBytes(b control.Budget) int64 {
	return max(b.Disk.UsedByShardkeeper, 0) + max(b.Disk.AvailableBytes, 0)
}

// The parts' names, as in the legend.
const (
	partShardkeeper = "Used by Shardkeeper"
	partFree        = "Free and available"
	partReserved    = "Reserved free"
	partOthers      = "Used by other programs"
)

// diskColors are theme colours, so the picture follows light and dark:
// Shardkeeper's part in the primary colour, the space it may still take
// in a light shade of it, what is off limits in light grey and what other
// programs use in dark grey.
func diskColors(th fyne.Theme) []color.Color {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	return []color.Color{
		th.Color(theme.ColorNamePrimary, v),
		withAlpha(th.Color(theme.ColorNamePrimary, v), 0x55),
		withAlpha(th.Color(theme.ColorNameForeground, v), 0x40),
		withAlpha(th.Color(theme.ColorNameForeground, v), 0x80),
	}
}

// budgetColors are the budget bar's: what the donor gives in Shardkeeper's
// colour, the rest of the space it could use in the light shade of it.
func budgetColors(th fyne.Theme) []color.Color { return diskColors(th)[:2] }

func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

// diskFracs are the parts' shares of the drive, left to right, for a
// segmentBar drawn with diskColors.
func diskFracs(p diskParts) []float64 {
	total := p.total()
	fracs := make([]float64, 4)
	for i, n := range []int64{p.shardkeeper, p.free, p.reserved, p.others} {
		if total > 0 {
			fracs[i] = float64(n) / float64(total)
		}
	}
	return fracs
}

// segmentBar draws segments side by side, each a share of its width, with
// a mark across it: the drive's parts with the budget marked, and the
// budget bar over the slider.
type segmentBar struct {
	widget.BaseWidget
	height float32
	colors func(fyne.Theme) []color.Color // one per segment
	fracs  []float64                      // each segment's share of the width, left to right
	mark   float64                        // where the mark goes, 0 to 1; <0: no mark
}

func newSegmentBar(height float32, colors func(fyne.Theme) []color.Color) *segmentBar {
	b := &segmentBar{height: height, colors: colors, mark: -1}
	b.ExtendBaseWidget(b)
	return b
}

// set runs on the UI thread.
func (b *segmentBar) set(fracs []float64, mark float64) {
	if slices.Equal(fracs, b.fracs) && mark == b.mark {
		return
	}
	b.fracs, b.mark = slices.Clone(fracs), mark
	b.Refresh()
}

// edge is the x of the boundary after the first n segments.
func (b *segmentBar) edge(n int, width float32) float32 {
	var f float64
	for _, s := range b.fracs[:min(n, len(b.fracs))] {
		f += s
	}
	return width * float32(min(f, 1))
}

func (b *segmentBar) CreateRenderer() fyne.WidgetRenderer {
	r := &segmentBarRenderer{bar: b, mark: canvas.NewRectangle(color.Black)}
	r.Refresh()
	return r
}

type segmentBarRenderer struct {
	bar   *segmentBar
	rects []*canvas.Rectangle
	mark  *canvas.Rectangle
}

func (r *segmentBarRenderer) MinSize() fyne.Size { return fyne.NewSize(200, r.bar.height) }

func (r *segmentBarRenderer) Layout(size fyne.Size) {
	const inset = 4 // room for the mark to stick out above and below
	h := size.Height - 2*inset
	for i, rect := range r.rects {
		x := r.bar.edge(i, size.Width)
		rect.Move(fyne.NewPos(x, inset))
		rect.Resize(fyne.NewSize(r.bar.edge(i+1, size.Width)-x, h))
	}
	if r.bar.mark < 0 {
		r.mark.Hide()
		return
	}
	r.mark.Show()
	mx := size.Width * float32(min(r.bar.mark, 1))
	r.mark.Move(fyne.NewPos(max(mx-1.5, 0), 0))
	r.mark.Resize(fyne.NewSize(3, size.Height))
}

func (r *segmentBarRenderer) Refresh() {
	th := r.bar.Theme()
	cs := r.bar.colors(th)
	for len(r.rects) < len(r.bar.fracs) {
		r.rects = append(r.rects, canvas.NewRectangle(color.Black))
	}
	r.rects = r.rects[:len(r.bar.fracs)]
	for i, rect := range r.rects {
		rect.FillColor = cs[i%len(cs)]
		rect.Refresh()
	}
	r.mark.FillColor = th.Color(theme.ColorNameForeground, fyne.CurrentApp().Settings().ThemeVariant())
	r.mark.Refresh()
	r.Layout(r.bar.Size())
}

func (r *segmentBarRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(r.rects)+1)
	for _, rect := range r.rects {
		objs = append(objs, rect)
	}
	return append(objs, r.mark)
}

func (r *segmentBarRenderer) Destroy() {}

// diskLegend names the bar's parts with their sizes.
type diskLegend struct {
	content fyne.CanvasObject
	swatch  [4]*canvas.Rectangle
	labels  [4]*widget.Label
}

func newDiskLegend() *diskLegend {
	l := &diskLegend{}
	cells := make([]fyne.CanvasObject, 4)
	for i := range cells {
		l.swatch[i] = canvas.NewRectangle(color.Black)
		l.swatch[i].SetMinSize(fyne.NewSquareSize(14))
		l.swatch[i].CornerRadius = 3
		l.labels[i] = widget.NewLabel("")
		cells[i] = container.NewHBox(container.NewCenter(l.swatch[i]), l.labels[i])
	}
	l.content = container.NewGridWithColumns(2, cells...)
	return l
}

func (l *diskLegend) show(p diskParts, th fyne.Theme) {
	cs := diskColors(th)
	names := [4]string{partShardkeeper, partFree, partReserved, partOthers}
	for i, n := range []int64{p.shardkeeper, p.free, p.reserved, p.others} {
		if l.swatch[i].FillColor != cs[i] {
			l.swatch[i].FillColor = cs[i]
			l.swatch[i].Refresh()
		}
		setLabel(l.labels[i], names[i]+": "+bytesText(n))
	}
}
