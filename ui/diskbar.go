package ui

import (
	"image/color"

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
func diskColors(th fyne.Theme) [4]color.Color {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	return [4]color.Color{
		th.Color(theme.ColorNamePrimary, v),
		withAlpha(th.Color(theme.ColorNamePrimary, v), 0x55),
		withAlpha(th.Color(theme.ColorNameForeground, v), 0x40),
		withAlpha(th.Color(theme.ColorNameForeground, v), 0x80),
	}
}

func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

// diskBar draws the parts as one horizontal bar, with a mark where the
// budget would end.
type diskBar struct {
	widget.BaseWidget
	parts  diskParts
	budget int64 // where the mark goes; <0: no mark
}

func newDiskBar() *diskBar {
	b := &diskBar{budget: -1}
	b.ExtendBaseWidget(b)
	return b
}

// set runs on the UI thread.
func (b *diskBar) set(p diskParts, budget int64) {
	if p == b.parts && budget == b.budget {
		return
	}
	b.parts, b.budget = p, budget
	b.Refresh()
}

func (b *diskBar) CreateRenderer() fyne.WidgetRenderer {
	r := &diskBarRenderer{bar: b, mark: canvas.NewRectangle(color.Black)}
	for i := range r.rects {
		r.rects[i] = canvas.NewRectangle(color.Black)
	}
	r.Refresh()
	return r
}

type diskBarRenderer struct {
	bar   *diskBar
	rects [4]*canvas.Rectangle
	mark  *canvas.Rectangle
}

const diskBarHeight = 36

func (r *diskBarRenderer) MinSize() fyne.Size { return fyne.NewSize(200, diskBarHeight) }

func (r *diskBarRenderer) Layout(size fyne.Size) {
	p := r.bar.parts
	total := p.total()
	const inset = 4 // room for the mark to stick out above and below
	h := size.Height - 2*inset
	x := float32(0)
	for i, n := range []int64{p.shardkeeper, p.free, p.reserved, p.others} {
		w := float32(0)
		if total > 0 {
			w = size.Width * float32(float64(n)/float64(total))
		}
		r.rects[i].Move(fyne.NewPos(x, inset))
		r.rects[i].Resize(fyne.NewSize(w, h))
		x += w
	}
	if r.bar.budget < 0 || total <= 0 {
		r.mark.Hide()
		return
	}
	r.mark.Show()
	mx := size.Width * float32(min(float64(r.bar.budget)/float64(total), 1))
	r.mark.Move(fyne.NewPos(max(mx-1.5, 0), 0))
	r.mark.Resize(fyne.NewSize(3, size.Height))
}

func (r *diskBarRenderer) Refresh() {
	th := r.bar.Theme()
	cs := diskColors(th)
	for i, rect := range r.rects {
		rect.FillColor = cs[i]
		rect.Refresh()
	}
	r.mark.FillColor = th.Color(theme.ColorNameForeground, fyne.CurrentApp().Settings().ThemeVariant())
	r.mark.Refresh()
	r.Layout(r.bar.Size())
}

func (r *diskBarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.rects[0], r.rects[1], r.rects[2], r.rects[3], r.mark}
}

func (r *diskBarRenderer) Destroy() {}

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
		l.swatch[i].FillColor = cs[i]
		l.swatch[i].Refresh()
		l.labels[i].SetText(names[i] + ": " + bytesText(n))
	}
}
