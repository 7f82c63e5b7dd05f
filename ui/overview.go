package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// overviewTab is what a donor sees first: the headline numbers, big, with
// Pause and Verify; then the impact, the storage locations with their last
// verification, the last days' activity and the shards.
type overviewTab struct {
	u       *UI
	content fyne.CanvasObject

	headline  *widget.Label // "Protecting 12,345 files · 48.2 GB"
	state     *widget.Label // "Up to date"
	detail    *widget.Label // the agent's own explanation, when it adds something
	restore   *widget.Label // "Helping the archive restore N files", while asked
	toggle    *widget.Button
	pauseMenu *fyne.Menu // the toggle's menu while running
	verify    *widget.Button
	verifying *widget.ProgressBar

	space     *widget.Label // "12.0 MB of 50.0 MB donated space used"
	spaceBar  *widget.ProgressBar
	impact    *widget.Label
	hub       *widget.Label
	last      *widget.Label
	locations *fyne.Container
	shownRows []string
	chart     *barChart
	chartNote *widget.Label
	shards    *shardList
	details   fyne.CanvasObject // hidden until the first status: zeros would mislead
}

func newOverviewTab(u *UI) *overviewTab {
	o := &overviewTab{
		u:         u,
		headline:  widget.NewLabel(""),
		state:     widget.NewLabel(""),
		detail:    note(""),
		restore:   widget.NewLabel(""),
		verifying: widget.NewProgressBar(),
		space:     widget.NewLabel(""),
		spaceBar:  widget.NewProgressBar(),
		impact:    widget.NewLabel(""),
		hub:       widget.NewLabel(""),
		last:      widget.NewLabel(""),
		locations: container.NewVBox(),
		chart:     newBarChart(),
		chartNote: note(""),
		shards:    newShardList(),
	}
	o.headline.SizeName = theme.SizeNameHeadingText
	o.headline.TextStyle = fyne.TextStyle{Bold: true}
	o.headline.Truncation = fyne.TextTruncateEllipsis
	o.state.SizeName = theme.SizeNameSubHeadingText
	o.state.Wrapping = fyne.TextWrapWord
	o.impact.Wrapping = fyne.TextWrapWord
	o.impact.TextStyle = fyne.TextStyle{Bold: true}
	for _, l := range []*widget.Label{o.hub, o.last} {
		l.Truncation = fyne.TextTruncateEllipsis
		l.Importance = widget.MediumImportance
	}
	o.verifying.Hide()

	var items []*fyne.MenuItem
	for _, c := range pauseChoices {
		items = append(items, fyne.NewMenuItem(c.label, func() { u.pause(c) }))
	}
	o.pauseMenu = fyne.NewMenu(pauseLabel, items...)
	o.toggle = widget.NewButtonWithIcon(pauseLabel, theme.MediaPauseIcon(), o.tapToggle)
	o.toggle.Importance = widget.HighImportance
	o.verify = widget.NewButtonWithIcon(verifyLabel, theme.ConfirmIcon(), u.verify)

	top := container.NewBorder(nil, nil, nil,
		container.NewHBox(container.NewCenter(o.toggle), container.NewCenter(o.verify)),
		container.NewVBox(o.headline, o.state))

	donation := widget.NewCard("Your donation", "", container.NewVBox(
		o.space, o.spaceBar, o.impact, o.hub, o.last))
	activity := widget.NewCard("Activity", "", container.NewVBox(o.chart, o.chartNote))
	where := widget.NewCard("Storage", "", o.locations)
	o.details = container.NewVBox(
		container.NewGridWithColumns(2, donation, activity),
		where,
		heading("Shards"),
	)
	o.content = container.NewPadded(container.NewBorder(
		container.NewVBox(top, o.detail, o.restore, o.verifying, o.details), nil, nil, nil,
		o.shards.content))
	return o
}

// tapToggle opens the pause menu under the button, or resumes.
func (o *overviewTab) tapToggle() {
	if o.u.status.Paused {
		o.u.resume()
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(o.toggle)
	if c == nil {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o.toggle)
	widget.ShowPopUpMenuAtPosition(o.pauseMenu, c, pos.AddXY(0, o.toggle.Size().Height))
}

func (o *overviewTab) show(s snapshot) {
	st := s.status
	showIf(o.details, s.have)
	switch {
	case !s.have && s.agentErr == nil:
		setLabel(o.headline, defaultTitle)
		setLabel(o.state, "Connecting to the Shardkeeper agent…")
	case !s.have:
		setLabel(o.headline, defaultTitle)
		setLabel(o.state, "Waiting for the agent")
	default:
		setLabel(o.headline, TrayTitle(st))
		setLabel(o.state, StateText(st, s.now))
	}
	importance := widget.MediumImportance
	if s.have && attention(st) {
		importance = widget.WarningImportance
	}
	setImportance(o.state, importance)
	setOptional(o.detail, detailTextIf(s))
	setOptional(o.restore, restoreTextIf(s))

	if st.Paused {
		setButton(o.toggle, resumeLabel, theme.MediaPlayIcon())
	} else {
		setButton(o.toggle, pauseLabel+"…", theme.MediaPauseIcon())
	}
	enableWidget(o.toggle, s.canToggle())
	enableWidget(o.verify, s.canVerify())
	if st.Verifying != nil {
		setProgress(o.verifying, progressPercent(*st.Verifying)/100)
		o.verifying.Show()
	} else {
		o.verifying.Hide()
	}
	if !s.have {
		return
	}

	setLabel(o.space, spaceText(st))
	setProgress(o.spaceBar, spaceFraction(st))
	setLabel(o.impact, impactText(st))
	setLabel(o.hub, hubText(st))
	setOptional(o.last, lastCycleText(st, s.now))
	o.showLocations(st, s)
	o.chart.set(st.Activity, s.now)
	setLabel(o.chartNote, activityText(st.Activity, s.now))
	o.shards.show(st.Shards)
}

func restoreTextIf(s snapshot) string {
	if !s.have {
		return ""
	}
	return restoreText(s.status)
}

func detailTextIf(s snapshot) string {
	if !s.have {
		return ""
	}
	return detailText(s.status, s.now)
}

// showLocations rebuilds the rows only when what they say changed, so a
// poll does not recreate widgets under the donor's pointer.
func (o *overviewTab) showLocations(st control.Status, s snapshot) {
	locs := st.Locations
	if len(locs) == 0 && st.Storage != "" {
		locs = []control.Location{{Path: st.Storage, Online: true}}
	}
	var rows []string
	for _, l := range locs {
		rows = append(rows, l.Path, locationText(l, s.now))
	}
	if slices.Equal(rows, o.shownRows) && len(o.locations.Objects) > 0 {
		return
	}
	o.shownRows = rows
	o.locations.RemoveAll()
	if len(locs) == 0 {
		o.locations.Add(note("No storage folder yet."))
		return
	}
	for _, l := range locs {
		icon := theme.FolderIcon()
		if !l.Online {
			icon = theme.WarningIcon()
		}
		path := widget.NewLabel(l.Path)
		path.Truncation = fyne.TextTruncateEllipsis
		when := widget.NewLabel(locationText(l, s.now))
		when.Importance = widget.MediumImportance
		if !l.Online {
			when.Importance = widget.WarningImportance
		}
		o.locations.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), when, path))
	}
}
