package ui

import (
	"fmt"
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// chartDays is how many days the activity chart shows, ending today.
const chartDays = 14

// dayBar is one bar of the activity chart.
type dayBar struct {
	day   time.Time
	bytes int64
	today bool
}

// chartBars lays the agent's per-day activity (which skips idle days) over
// the last chartDays days, so every day has its bar.
func chartBars(days []control.DayActivity, now time.Time) []dayBar {
	byDay := map[string]int64{}
	for _, d := range days {
		byDay[d.Day] += d.BytesFetched
	}
	y, m, d := now.Date()
	bars := make([]dayBar, chartDays)
	for i := range bars {
		day := time.Date(y, m, d-(chartDays-1-i), 12, 0, 0, 0, now.Location())
		bars[i] = dayBar{day: day, bytes: byDay[day.Format(time.DateOnly)], today: i == chartDays-1}
	}
	return bars
}

// activityText sums the last week: "1.2 GB fetched in the last 7 days".
func activityText(days []control.DayActivity, now time.Time) string {
	bars := chartBars(days, now)
	var week, all int64
	for i, b := range bars {
		all += b.bytes
		if i >= len(bars)-7 {
			week += b.bytes
		}
	}
	switch {
	case all == 0:
		return fmt.Sprintf("Nothing fetched in the last %d days.", chartDays)
	case week == 0:
		return fmt.Sprintf("Nothing fetched in the last 7 days; %s in the last %d.", bytesText(all), chartDays)
	}
	return bytesText(week) + " fetched in the last 7 days."
}

// barChart draws bytes fetched per day with plain canvas rectangles: a bar
// per day, the day of the month under it, the busiest day's amount on top.
type barChart struct {
	widget.BaseWidget
	bars []dayBar
}

func newBarChart() *barChart {
	c := &barChart{}
	c.ExtendBaseWidget(c)
	return c
}

// set replaces the data; it runs on the UI thread.
func (c *barChart) set(days []control.DayActivity, now time.Time) {
	bars := chartBars(days, now)
	if fmt.Sprint(bars) == fmt.Sprint(c.bars) {
		return
	}
	c.bars = bars
	c.Refresh()
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barChartRenderer{chart: c, top: canvas.NewText("", color.Black), axis: canvas.NewRectangle(color.Black)}
	r.top.TextSize = theme.CaptionTextSize()
	for range chartDays {
		r.rects = append(r.rects, canvas.NewRectangle(color.Black))
		l := canvas.NewText("", color.Black)
		l.Alignment = fyne.TextAlignCenter
		r.labels = append(r.labels, l)
	}
	r.Refresh()
	return r
}

type barChartRenderer struct {
	chart  *barChart
	rects  []*canvas.Rectangle
	labels []*canvas.Text
	top    *canvas.Text
	axis   *canvas.Rectangle
}

func (r *barChartRenderer) MinSize() fyne.Size {
	return fyne.NewSize(chartDays*18, 120)
}

func (r *barChartRenderer) Layout(size fyne.Size) {
	th := r.chart.Theme()
	pad := th.Size(theme.SizeNamePadding)
	label := th.Size(theme.SizeNameCaptionText) + pad
	topH := r.top.MinSize().Height
	r.top.Move(fyne.NewPos(0, 0))
	r.top.Resize(fyne.NewSize(size.Width, topH))

	plotTop := topH + pad
	plotH := max(size.Height-plotTop-label-pad, 1)
	base := plotTop + plotH
	r.axis.Move(fyne.NewPos(0, base))
	r.axis.Resize(fyne.NewSize(size.Width, 1))

	var peak int64
	for _, b := range r.chart.bars {
		peak = max(peak, b.bytes)
	}
	slot := size.Width / chartDays
	barW := max(slot*0.7, 2)
	for i, rect := range r.rects {
		var h float32
		if i < len(r.chart.bars) && peak > 0 {
			h = plotH * float32(r.chart.bars[i].bytes) / float32(peak)
		}
		if h > 0 && h < 2 {
			h = 2 // a busy day is never invisible
		}
		x := float32(i)*slot + (slot-barW)/2
		rect.Move(fyne.NewPos(x, base-h))
		rect.Resize(fyne.NewSize(barW, h))
		r.labels[i].Move(fyne.NewPos(float32(i)*slot, base+pad/2))
		r.labels[i].Resize(fyne.NewSize(slot, label))
	}
}

func (r *barChartRenderer) Refresh() {
	th := r.chart.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	bar := th.Color(theme.ColorNamePrimary, v)
	fg := th.Color(theme.ColorNameForeground, v)
	dim := th.Color(theme.ColorNamePlaceHolder, v)
	var peak int64
	for _, b := range r.chart.bars {
		peak = max(peak, b.bytes)
	}
	r.top.Text = ""
	if peak > 0 {
		r.top.Text = "Busiest day: " + bytesText(peak)
	}
	r.top.Color = dim
	r.axis.FillColor = th.Color(theme.ColorNameSeparator, v)
	for i, rect := range r.rects {
		rect.FillColor = bar
		l := r.labels[i]
		l.TextSize = th.Size(theme.SizeNameCaptionText)
		l.Color = dim
		l.TextStyle = fyne.TextStyle{}
		l.Text = ""
		if i < len(r.chart.bars) {
			b := r.chart.bars[i]
			l.Text = strconv.Itoa(b.day.Day())
			if b.today {
				l.Color, l.TextStyle = fg, fyne.TextStyle{Bold: true}
			}
		}
		l.Refresh()
		rect.Refresh()
	}
	r.top.Refresh()
	r.axis.Refresh()
	r.Layout(r.chart.Size())
}

func (r *barChartRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.top, r.axis}
	for i := range r.rects {
		objs = append(objs, r.rects[i], r.labels[i])
	}
	return objs
}

func (r *barChartRenderer) Destroy() {}
