package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// view is the main window's content: the headline numbers first, big, for a
// donor who glances at it; the details and the shard list below.
type view struct {
	content fyne.CanvasObject

	problem  *widget.Label // agent unreachable / action failed; hidden when all is well
	headline *widget.Label // "Protecting 1,234 files"
	state    *widget.Label // "Up to date"
	toggle   *widget.Button
	space    *widget.Label // "12 MB of 50 MB donated space used"
	bar      *widget.ProgressBar
	hub      *widget.Label
	storage  *widget.Label
	last     *widget.Label
	shards   *shardList
	details  []fyne.CanvasObject // hidden until the first status: zeros would mislead
}

func newView(onToggle func()) *view {
	v := &view{
		problem:  widget.NewLabel(""),
		headline: widget.NewLabel(""),
		state:    widget.NewLabel(""),
		space:    widget.NewLabel(""),
		bar:      widget.NewProgressBar(),
		hub:      widget.NewLabel(""),
		storage:  widget.NewLabel(""),
		last:     widget.NewLabel(""),
		shards:   newShardList(),
	}
	v.problem.Importance = widget.DangerImportance
	v.problem.Wrapping = fyne.TextWrapWord
	v.problem.Hide()

	v.headline.SizeName = theme.SizeNameHeadingText
	v.headline.TextStyle = fyne.TextStyle{Bold: true}
	v.state.SizeName = theme.SizeNameSubHeadingText
	v.state.Wrapping = fyne.TextWrapWord
	v.space.SizeName = theme.SizeNameSubHeadingText
	for _, l := range []*widget.Label{v.hub, v.storage, v.last} {
		l.Truncation = fyne.TextTruncateEllipsis
		l.Importance = widget.MediumImportance
	}

	v.toggle = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), onToggle)
	v.toggle.Importance = widget.HighImportance

	shardsTitle := widget.NewLabel("Shards")
	shardsTitle.TextStyle = fyne.TextStyle{Bold: true}

	details := container.NewVBox(
		v.space,
		v.bar,
		v.hub,
		v.storage,
		v.last,
		widget.NewSeparator(),
		shardsTitle,
	)
	v.details = []fyne.CanvasObject{details, v.shards.content}
	top := container.NewVBox(
		v.problem,
		v.headline,
		container.NewBorder(nil, nil, nil, container.NewCenter(v.toggle), v.state),
		details,
	)
	v.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, v.shards.content))
	return v
}

// show draws s; it runs on the UI thread.
func (v *view) show(s snapshot) {
	v.showProblem(s)

	st := s.status
	for _, d := range v.details {
		if s.have {
			d.Show()
		} else {
			d.Hide()
		}
	}
	if !s.have {
		v.headline.SetText("Shardkeeper")
		if s.agentErr == nil {
			v.state.SetText("Connecting to the Shardkeeper agent…")
		} else {
			v.state.SetText("Waiting for the agent")
		}
	} else {
		v.headline.SetText(protectingText(st.FilesProtected))
		v.state.SetText(StateText(st))
	}
	v.state.Importance = widget.MediumImportance
	if s.have && attention(st) {
		v.state.Importance = widget.WarningImportance
	}
	v.state.Refresh()

	v.space.SetText(spaceText(st))
	v.bar.SetValue(spaceFraction(st))
	v.hub.SetText(hubText(st))
	setOptional(v.storage, storageText(st))
	setOptional(v.last, lastCycleText(st, time.Now()))
	v.shards.show(st.Shards)

	v.toggle.SetText(toggleText(st))
	if st.Paused {
		v.toggle.SetIcon(theme.MediaPlayIcon())
	} else {
		v.toggle.SetIcon(theme.MediaPauseIcon())
	}
	if s.canToggle() {
		v.toggle.Enable()
	} else {
		v.toggle.Disable()
	}
}

func (v *view) showProblem(s snapshot) {
	var lines []string
	if s.agentErr != nil {
		lines = append(lines, AgentErrorText(s.agentErr))
	}
	if s.actionErr != "" {
		lines = append(lines, s.actionErr)
	}
	if len(lines) == 0 {
		v.problem.Hide()
		return
	}
	v.problem.SetText(strings.Join(lines, "\n"))
	v.problem.Show()
}

// setOptional hides a detail line that has nothing to say, instead of
// leaving a blank gap.
func setOptional(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}
