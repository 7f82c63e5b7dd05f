package ui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

const (
	logLines     = 200
	logEvery     = 5 * time.Second
	showProblems = 20
	showEvents   = 100
)

// activityTab shows what the agent does now (downloads with progress
// bars), what went wrong (in plain language, with what to do), what it
// did (its events, one sentence each) and, behind "Show details", its log.
type activityTab struct {
	u       *UI
	content fyne.CanvasObject

	transfers   *fyne.Container
	noTransfers *widget.Label
	rows        map[string]*transferRow
	problems    *fyne.Container
	skipped     *widget.Label
	timeline    *fyne.Container // the events, newest first
	shownEvents []control.Event // what problems and timeline show now
	details     *widget.Check
	happened    fyne.CanvasObject // the card around timeline
	middle      *fyne.Container   // happened, or happened over the log with details
	logBox      fyne.CanvasObject // the log, shown with details
	log         *widget.Label
	logScroll   *container.Scroll
	logErr      *widget.Label
	logLoading  bool
	ticks       int
}

// transferRow is one download: its file, a progress bar and the speed.
type transferRow struct {
	content fyne.CanvasObject
	name    *widget.Label
	bar     *widget.ProgressBar
	rate    *widget.Label
}

func newActivityTab(u *UI) *activityTab {
	t := &activityTab{
		u:           u,
		transfers:   container.NewVBox(),
		noTransfers: note("No downloads right now."),
		rows:        map[string]*transferRow{},
		problems:    container.NewVBox(),
		timeline:    container.NewVBox(),
		log:         widget.NewLabel(""),
		logErr:      note(""),
		skipped:     note(""),
	}
	t.skipped.Importance = widget.WarningImportance
	t.skipped.Hide()
	downloads := widget.NewCard("Downloads", "", cardScroll(container.NewVBox(t.noTransfers, t.transfers)))
	problems := widget.NewCard("Problems", "", cardScroll(container.NewVBox(t.skipped, t.problems)))
	t.happened = widget.NewCard("What happened", "", container.NewVScroll(t.timeline))
	t.middle = container.NewStack(t.happened)
	t.logBox = t.newLogBox()
	t.details = widget.NewCheck("Show details (the agent's log, as it writes it)", t.showDetails)
	t.content = container.NewPadded(container.NewBorder(
		container.NewGridWithColumns(2, downloads, problems), t.details, nil, nil, t.middle))
	t.showEvents(nil)
	return t
}

// newLogBox is the raw log: monospace, wrapped, the newest line last.
func (t *activityTab) newLogBox() fyne.CanvasObject {
	t.log.TextStyle = fyne.TextStyle{Monospace: true}
	t.log.Wrapping = fyne.TextWrapWord
	t.log.Selectable = true
	t.logErr.Importance = widget.WarningImportance
	t.logErr.Hide()
	t.logScroll = container.NewVScroll(t.log)
	t.logScroll.SetMinSize(fyne.NewSize(0, 100))
	reload := widget.NewButtonWithIcon("Reload", theme.ViewRefreshIcon(), t.loadLog)
	head := container.NewBorder(nil, nil, heading("Agent log"), reload, t.logErr)
	return container.NewBorder(head, nil, nil, nil, t.logScroll)
}

// cardScroll gives a card a fixed height, so a long list scrolls inside it
// instead of pushing the rest off the window.
func cardScroll(o fyne.CanvasObject) fyne.CanvasObject {
	s := container.NewVScroll(o)
	s.SetMinSize(fyne.NewSize(0, 180))
	return s
}

func (t *activityTab) show(s snapshot) {
	setOptional(t.skipped, skippedText(s.status.FilesSkipped))
	t.showTransfers(s.status.Transfers)
	t.showEvents(s.events)
}

// selected reads the log, when the details show, now and every logEvery
// while the tab is open.
func (t *activityTab) selected() {
	t.ticks++ // one reading loop at a time, however often the tab is opened
	if !t.details.Checked {
		return
	}
	t.loadLog()
	gen := t.ticks
	var tick func()
	tick = func() {
		if gen != t.ticks || !t.content.Visible() || !t.details.Checked || t.u.ctx.Err() != nil {
			return
		}
		t.loadLog()
		t.u.after(logEvery, tick)
	}
	t.u.after(logEvery, tick)
}

// showDetails shows the log under what happened, the two sharing the
// height (the donor can move the divider), or hides it.
func (t *activityTab) showDetails(on bool) {
	if on {
		t.middle.Objects = []fyne.CanvasObject{container.NewVSplit(t.happened, t.logBox)}
	} else {
		t.middle.Objects = []fyne.CanvasObject{t.happened}
	}
	t.middle.Refresh()
	t.selected()
}

func (t *activityTab) loadLog() {
	if t.logLoading {
		return
	}
	t.logLoading = true
	var lines []string
	t.u.call(func(ctx context.Context) (err error) {
		lines, err = t.u.api.LogTail(ctx, logLines)
		return err
	}, func(err error) {
		t.logLoading = false
		if err != nil {
			t.logErr.SetText("Couldn't read the agent's log: " + err.Error())
			t.logErr.Show()
			return
		}
		t.logErr.Hide()
		text := strings.Join(lines, "\n")
		if text == "" {
			text = "The log is empty."
		}
		if text != t.log.Text {
			t.log.SetText(text)
			t.logScroll.Refresh() // take the new length before scrolling to its end
			t.logScroll.ScrollToBottom()
		}
	})
}

// showTransfers keeps one row per download, updating bars in place.
func (t *activityTab) showTransfers(ts []control.Transfer) {
	showIf(t.noTransfers, len(ts) == 0)
	keys := make([]string, len(ts))
	for i, tr := range ts {
		keys[i] = tr.Shard + "/" + tr.Key
	}
	if !sameKeys(keys, t.rows) {
		t.rows = map[string]*transferRow{}
		t.transfers.RemoveAll()
		for _, k := range keys {
			r := newTransferRow()
			t.rows[k] = r
			t.transfers.Add(r.content)
		}
	}
	for i, tr := range ts {
		t.rows[keys[i]].show(tr)
	}
}

func sameKeys(keys []string, rows map[string]*transferRow) bool {
	if len(keys) != len(rows) {
		return false
	}
	for _, k := range keys {
		if rows[k] == nil {
			return false
		}
	}
	return true
}

func newTransferRow() *transferRow {
	r := &transferRow{name: widget.NewLabel(""), bar: widget.NewProgressBar(), rate: widget.NewLabel("")}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.rate.Importance = widget.MediumImportance
	r.content = container.NewVBox(container.NewBorder(nil, nil, nil, r.rate, r.name), r.bar)
	return r
}

func (r *transferRow) show(tr control.Transfer) {
	name := tr.File
	if name == "" {
		name = tr.Key
	}
	r.name.SetText(name)
	if tr.TotalBytes > 0 {
		r.bar.SetValue(float64(tr.DoneBytes) / float64(tr.TotalBytes))
	}
	rate := bytesText(tr.DoneBytes) + " of " + bytesText(tr.TotalBytes)
	if tr.BytesPerSec > 0 {
		rate += " · " + rateText(tr.BytesPerSec)
	}
	r.rate.SetText(rate)
}

// showEvents lists the latest problems, and the latest events of any
// kind but progress, newest first; it rebuilds only when a new event came.
func (t *activityTab) showEvents(evs []control.Event) {
	if len(t.problems.Objects) > 0 && slices.EqualFunc(evs, t.shownEvents, sameEventAt) {
		return
	}
	t.shownEvents = slices.Clone(evs)
	t.problems.RemoveAll()
	t.timeline.RemoveAll()
	now := t.u.opts.Now()
	timeWidth := widget.NewLabel("Wed 00:00").MinSize() // the widest time: the sentences line up
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		if ev.Kind == control.EventTransfer {
			continue
		}
		if ev.Kind == control.EventError && len(t.problems.Objects) < showProblems {
			t.problems.Add(problemRow(ev, now))
		}
		if len(t.timeline.Objects) < showEvents {
			t.timeline.Add(eventRow(ev, now, timeWidth))
		}
	}
	if len(t.problems.Objects) == 0 {
		t.problems.Add(note("No problems."))
	}
	if len(t.timeline.Objects) == 0 {
		t.timeline.Add(note("Nothing yet. What Shardkeeper does shows here: files it downloads or gives back, reports to the hub, pauses."))
	}
}

// skippedText tells about files the agent gave up on for now.
func skippedText(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "1 file failed to download several times: Shardkeeper leaves it alone for a day, then tries again."
	}
	return filesText(n) + " failed to download several times: Shardkeeper leaves them alone for a day, then tries again."
}

func sameEventAt(a, b control.Event) bool { return a.Time.Equal(b.Time) && sameEvent(a, b) }

func problemRow(ev control.Event, now time.Time) fyne.CanvasObject {
	msg := widget.NewLabel(eventTime(ev.Time, now) + "  " + ev.Message)
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.WarningImportance
	box := container.NewVBox(msg)
	if why := explain(ev); why != "" {
		box.Add(note(why))
	}
	return box
}

// eventRow is one event: its time, an icon for its kind and its sentence,
// wrapped to the width of the list.
func eventRow(ev control.Event, now time.Time, timeWidth fyne.Size) fyne.CanvasObject {
	when := widget.NewLabel(eventTime(ev.Time, now))
	when.Importance = widget.MediumImportance
	msg := widget.NewLabel(ev.Message)
	msg.Wrapping = fyne.TextWrapWord
	if ev.Kind == control.EventError {
		msg.Importance = widget.WarningImportance
	}
	// The time and the icon stay by the first line of a long sentence.
	left := container.NewVBox(container.NewHBox(container.NewGridWrap(timeWidth, when), widget.NewIcon(eventIcon(ev.Kind))))
	return container.NewBorder(nil, nil, left, nil, msg)
}

// eventIcons show an event's kind (looked up when drawn: they follow the theme).
var eventIcons = map[string]func() fyne.Resource{
	control.EventFetched: theme.DownloadIcon,
	control.EventDropped: theme.DeleteIcon,
	control.EventError:   func() fyne.Resource { return theme.NewWarningThemedResource(theme.WarningIcon()) },
	control.EventPaused:  theme.MediaPauseIcon,
	control.EventResumed: theme.MediaPlayIcon,
	control.EventBudget:  theme.StorageIcon,
	control.EventVerify:  theme.ConfirmIcon,
	control.EventHub:     theme.UploadIcon,
	control.EventStorage: theme.FolderIcon,
}

func eventIcon(kind string) fyne.Resource {
	if icon, ok := eventIcons[kind]; ok {
		return icon()
	}
	return theme.InfoIcon()
}

// eventTime is "14:32" today, "Mon 14:32" earlier.
func eventTime(t, now time.Time) string {
	t = t.In(now.Location())
	if sameDay(t, now) {
		return t.Format("15:04")
	}
	return t.Format("Mon 15:04")
}
