package ui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// sliderSteps: the first-run wizard's slider moves in 1% steps of the free
// space (the Space tab's moves over a budgetScale).
const sliderSteps = 100

// spaceTab is a live picture of the drive, the budget slider under a bar
// of the space Shardkeeper could use, and the agent's three limits. A
// change takes effect at once; one that gives space back says how much
// first and asks.
type spaceTab struct {
	u       *UI
	content fyne.CanvasObject

	drive      *widget.Label
	driveBar   *segmentBar // the whole drive, the budget marked
	legend     *diskLegend
	bar        *segmentBar // the space Shardkeeper could use: given, and the rest
	slider     *budgetSlider
	ticks      *scaleTicks
	picture    *fyne.Container // the bar, the slider and its scale as one control
	sliderText *widget.Label
	maxBytes   *widget.Entry
	keepFree   *widget.Entry
	maxPercent *widget.Entry
	apply      *widget.Button
	applies    [3]*widget.Label // "applies now" beside the binding limit
	effective  *widget.Label
	noDisk     *widget.Label
	body       fyne.CanvasObject

	budget   control.Budget // as the agent last said
	usable   int64
	scale    budgetScale // the slider's stops, up to usable
	updating bool        // show() is moving the widgets: their OnChanged must not act
	pending  bool        // a change awaits the donor's confirmation or the agent
	edited   bool        // the donor typed in a limit and has not applied it
}

func newSpaceTab(u *UI) *spaceTab {
	t := &spaceTab{
		u:          u,
		drive:      heading(""),
		driveBar:   newSegmentBar(24, diskColors),
		legend:     newDiskLegend(),
		bar:        newSegmentBar(36, budgetColors),
		slider:     newBudgetSlider(),
		ticks:      newScaleTicks(),
		sliderText: widget.NewLabel(""),
		maxBytes:   widget.NewEntry(),
		keepFree:   widget.NewEntry(),
		maxPercent: widget.NewEntry(),
		effective:  widget.NewLabel(""),
		noDisk:     note("Waiting for the agent to describe the drive…"),
		scale:      newBudgetScale(0, 0),
	}
	t.sliderText.TextStyle = fyne.TextStyle{Bold: true}
	t.drive.SizeName = theme.SizeNameSubHeadingText
	t.effective.Wrapping = fyne.TextWrapWord
	t.slider.OnChanged = t.sliderMoved
	t.slider.OnChangeEnded = t.sliderReleased
	t.maxBytes.SetPlaceHolder("no limit")
	t.keepFree.SetPlaceHolder("no limit")
	t.maxPercent.SetPlaceHolder("no limit")
	for _, e := range []*widget.Entry{t.maxBytes, t.keepFree, t.maxPercent} {
		e.OnChanged = func(string) {
			if !t.updating {
				t.edited = true
			}
		}
		e.OnSubmitted = func(string) { t.applyTyped() }
	}
	t.picture = container.New(&trackLayout{slider: &t.slider.Slider}, t.bar, t.slider, t.ticks)
	t.apply = widget.NewButton("Apply limits", t.applyTyped)
	for i := range t.applies {
		t.applies[i] = widget.NewLabel("")
		t.applies[i].Importance = widget.HighImportance
		t.applies[i].TextStyle = fyne.TextStyle{Bold: true}
	}

	limits := container.New(layout.NewFormLayout(),
		widget.NewLabel("Use at most"), limitRow(t.maxBytes, "(the slider)", t.applies[0]),
		widget.NewLabel("Keep free on the drive"), limitRow(t.keepFree, "", t.applies[1]),
		widget.NewLabel("Use at most"), limitRow(t.maxPercent, "% of the drive", t.applies[2]),
		widget.NewLabel(""), container.NewHBox(t.apply),
	)
	t.body = container.NewVBox(
		t.drive,
		container.New(&insetLayout{slider: &t.slider.Slider}, t.driveBar),
		t.legend.content,
		widget.NewSeparator(),
		heading("How much to give: drag the slider"),
		t.sliderText,
		t.picture,
		widget.NewSeparator(),
		heading("Limits (the most restrictive one applies)"),
		limits,
		t.effective,
		note("Lowering a limit gives space back at once: Shardkeeper deletes some of the files it holds. "+
			"The archive and other donors keep their copies."),
	)
	t.body.Hide()
	t.content = container.NewPadded(container.NewVScroll(container.NewVBox(t.noDisk, t.body)))
	return t
}

func limitRow(e *widget.Entry, unit string, applies *widget.Label) fyne.CanvasObject {
	sized := container.NewGridWrap(fyne.NewSize(160, e.MinSize().Height), e)
	return container.NewHBox(sized, widget.NewLabel(unit), applies)
}

func (t *spaceTab) show(s snapshot) {
	b := s.status.Budget
	showIf(t.noDisk, b == nil)
	showIf(t.body, b != nil)
	if b == nil || t.pending {
		return
	}
	t.budget = *b
	t.usable = usableBytes(*b)
	parts := splitDisk(*b)
	setLabel(t.drive, "Your drive "+b.Disk.Path+" ("+bytesText(b.Disk.TotalBytes)+")")
	t.legend.show(parts, t.bar.Theme())

	t.updating = true
	defer func() { t.updating = false }()
	value := b.MaxBytes
	if value <= 0 || value > t.usable {
		value = t.usable // no size limit: the slider sits at the end
	}
	t.scale = newBudgetScale(t.usable, value)
	t.ticks.set(t.scale)
	if m := float64(t.scale.steps()); m != t.slider.Max {
		t.slider.Max = m
		t.slider.Refresh()
	}
	if v := t.scale.pos(value); v != t.slider.Value {
		t.slider.SetValue(v)
	}
	// A full drive leaves one stop: nothing to choose from.
	enableWidget(t.slider, (s.canToggle() || s.status.Paused) && t.scale.steps() > 0)
	t.showValue(value)
	if !t.edited {
		setEntry(t.maxBytes, sizeField(b.MaxBytes))
		setEntry(t.keepFree, sizeField(b.KeepFreeBytes))
		setEntry(t.maxPercent, percentField(b.MaxPercent))
	}
	for i, name := range []string{control.BindMaxBytes, control.BindKeepFree, control.BindMaxPercent} {
		text := ""
		if b.Binding == name {
			text = "applies now"
		}
		setLabel(t.applies[i], text)
	}
	setLabel(t.effective, effectiveText(*b))
}

// showValue draws a donation of n bytes: the sentence, the budget bar's
// edge (under the thumb) and the mark on the drive.
func (t *spaceTab) showValue(n int64) {
	setLabel(t.sliderText, sliderText(n, t.usable))
	f := t.scale.frac(n)
	t.bar.set([]float64{f, 1 - f}, f)
	parts := splitDisk(t.budget)
	mark := -1.0
	if total := parts.total(); total > 0 {
		mark = float64(n) / float64(total)
	}
	t.driveBar.set(diskFracs(parts), mark)
}

// sliderMoved follows a drag from stop to stop: the bar and the sentence
// move, nothing is sent until the slider is released.
func (t *spaceTab) sliderMoved(v float64) {
	if t.updating {
		return
	}
	t.showValue(t.scale.at(t.slider.snap(v)))
}

// sliderReleased sends the size the slider shows, in bytes.
func (t *spaceTab) sliderReleased(v float64) {
	if t.updating {
		return
	}
	l := t.budget.Limits
	l.MaxBytes = t.scale.at(int(math.Round(v)))
	t.change(l)
}

// applyTyped applies the three limits as typed.
func (t *spaceTab) applyTyped() {
	l, err := parseLimits(t.maxBytes.Text, t.keepFree.Text, t.maxPercent.Text)
	if err != nil {
		t.u.showActionError("Couldn't change the limits", err)
		return
	}
	t.edited = false
	t.u.actionErr = "" // no render yet: it would put the agent's values back in the fields
	t.change(l)
}

// change applies new limits: at once when they give more space, after a
// preview and the donor's yes when they would give space back.
func (t *spaceTab) change(l control.Limits) {
	if l == t.budget.Limits {
		t.u.render() // put the slider back where it was
		return
	}
	t.pending = true
	if !lowers(t.budget.Limits, l) {
		t.set(l)
		return
	}
	var plan control.BudgetPlan
	t.u.call(func(ctx context.Context) (err error) {
		plan, err = t.u.api.PreviewBudget(ctx, l)
		return err
	}, func(err error) {
		switch {
		case err != nil:
			t.done("Couldn't check what the new limit would free", err)
		case plan.ReleaseBytes <= 0:
			t.set(l)
		default:
			t.confirmRelease(l, plan)
		}
	})
}

func (t *spaceTab) confirmRelease(l control.Limits, plan control.BudgetPlan) {
	msg := fmt.Sprintf("Your donation goes down to %s.\nShardkeeper gives back %s now by deleting %s it holds.\n"+
		"The archive and other donors keep their copies.",
		bytesText(plan.Budget.EffectiveBytes), bytesText(plan.ReleaseBytes), filesText(plan.ReleaseFiles))
	d := dialog.NewConfirm("Give space back?", msg, func(ok bool) {
		if ok {
			t.set(l)
			return
		}
		t.done("", nil)
	}, t.u.win)
	d.SetConfirmText("Give back " + bytesText(plan.ReleaseBytes))
	d.SetDismissText("Cancel")
	d.Show()
}

// set sends the limits; the agent applies them at once.
func (t *spaceTab) set(l control.Limits) {
	var plan control.BudgetPlan
	t.u.call(func(ctx context.Context) (err error) {
		plan, err = t.u.api.SetBudget(ctx, l)
		return err
	}, func(err error) {
		if err == nil {
			// Show the new budget now; the next poll confirms it.
			b := plan.Budget
			t.u.status.Budget = &b
			t.u.status.BudgetBytes = b.EffectiveBytes
		}
		t.done("Couldn't change the donated space", err)
		t.u.refreshAsync()
	})
}

// done ends a change: the widgets follow the agent again.
func (t *spaceTab) done(failed string, err error) {
	t.pending = false
	t.u.showActionError(failed, err)
}

// lowers: some limit of next is stricter than in cur (0 means no limit).
func lowers(cur, next control.Limits) bool {
	stricter := func(n, c float64) bool { return n > 0 && (c <= 0 || n < c) }
	return stricter(float64(next.MaxBytes), float64(cur.MaxBytes)) ||
		next.KeepFreeBytes > cur.KeepFreeBytes ||
		stricter(next.MaxPercent, cur.MaxPercent)
}

// parseLimits reads the three limit fields; empty means no limit.
func parseLimits(maxBytes, keepFree, maxPercent string) (control.Limits, error) {
	var l control.Limits
	var err error
	if l.MaxBytes, err = parseSizeField(maxBytes); err != nil {
		return l, err
	}
	if l.KeepFreeBytes, err = parseSizeField(keepFree); err != nil {
		return l, err
	}
	if p := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(maxPercent), "%")); p != "" {
		if l.MaxPercent, err = strconv.ParseFloat(p, 64); err != nil || l.MaxPercent < 0 || l.MaxPercent > 100 {
			return l, fmt.Errorf("%q is not a percentage: use a number from 0 to 100", maxPercent)
		}
	}
	return l, nil
}

func parseSizeField(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := words.ParseSize(s)
	if err != nil {
		return 0, errors.New(strconv.Quote(s) + " is not a size: use a size such as 50 GB or 700 MB")
	}
	return n, nil
}

func sizeField(n int64) string {
	if n <= 0 {
		return ""
	}
	return bytesText(n)
}

func percentField(p float64) string {
	if p <= 0 {
		return ""
	}
	return strconv.FormatFloat(p, 'f', -1, 64)
}

// sliderText reads "Donate up to 5.0 GB (1.3% of the space Shardkeeper could use)".
func sliderText(n, usable int64) string {
	if usable <= 0 {
		return "The drive is full: free some space on it to donate."
	}
	return "Donate up to " + bytesText(n) + " (" + shareText(n, usable) + " of the space Shardkeeper could use)"
}

// effectiveText says what the limits add up to, and which one binds.
func effectiveText(b control.Budget) string {
	var why string
	switch b.Binding {
	case control.BindMaxBytes:
		why = "your size limit, " + bytesText(b.MaxBytes)
	case control.BindKeepFree:
		why = "keeping " + bytesText(b.KeepFreeBytes) + " free on the drive"
	case control.BindMaxPercent:
		why = "using at most " + percentField(b.MaxPercent) + "% of the drive"
	default:
		return "Shardkeeper may use up to " + bytesText(b.EffectiveBytes) + "."
	}
	return "Shardkeeper may use up to " + bytesText(b.EffectiveBytes) + " now: the limit that applies is " + why + "."
}

func filesText(n int64) string {
	if n == 1 {
		return "1 file"
	}
	return humanize.Comma(n) + " files"
}

// disabler is a widget that can be turned off.
type disabler interface {
	Enable()
	Disable()
	Disabled() bool
}

// enableWidget sets a widget's state without a redundant refresh.
func enableWidget(w disabler, on bool) {
	if on && w.Disabled() {
		w.Enable()
	} else if !on && !w.Disabled() {
		w.Disable()
	}
}
