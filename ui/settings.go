package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// settingsTab edits control.Settings (all but the limits, which Space
// owns) and the storage locations.
type settingsTab struct {
	u       *UI
	content fyne.CanvasObject

	storage   *storageCard
	shards    *shardsCard // nil when the agent cannot change shards
	place     *placeFields
	form      *widget.Form
	bandwidth *widget.Entry
	schedule  *widget.Entry
	offHours  *widget.Entry
	verify    *widget.Entry
	name      *widget.Entry
	battery   *widget.Check
	metered   *widget.Check
	login     *widget.Check
	board     *widget.Check
	restores  *widget.Check
	result    *widget.Label
	saveBtn   *widget.Button
	revert    *widget.Button

	loaded  bool
	loading bool
	current control.Settings // as the agent last said
}

func newSettingsTab(u *UI) *settingsTab {
	t := &settingsTab{
		u:         u,
		storage:   newStorageCard(u),
		shards:    newShardsCard(u),
		place:     newPlaceFields(),
		bandwidth: widget.NewEntry(),
		schedule:  widget.NewEntry(),
		offHours:  widget.NewEntry(),
		verify:    widget.NewEntry(),
		name:      widget.NewEntry(),
		battery:   widget.NewCheck("Pause while running on battery", nil),
		metered:   widget.NewCheck("Pause on metered connections (mobile data)", nil),
		login:     widget.NewCheck("Start protecting when I log in", nil),
		board:     widget.NewCheck("Show my name on the hub's leaderboard", nil),
		restores:  widget.NewCheck("Help restores at any time", nil),
		result:    widget.NewLabel(""),
	}
	t.bandwidth.Validator = validKBps
	t.offHours.Validator = validKBps
	t.schedule.Validator = validSchedule
	t.verify.Validator = validDays
	t.schedule.SetPlaceHolder("01:00-07:00")
	t.name.SetPlaceHolder("optional")

	t.form = widget.NewForm(
		&widget.FormItem{Text: "Download speed", Widget: t.bandwidth, HintText: "KB/s; empty or 0: no limit"},
		&widget.FormItem{Text: "Download hours", Widget: t.schedule, HintText: "e.g. 01:00-07:00; empty: at any time"},
		&widget.FormItem{Text: "Outside those hours", Widget: t.offHours, HintText: "KB/s; 0: don't download"},
		&widget.FormItem{Text: "Battery", Widget: t.battery},
		&widget.FormItem{Text: "Metered networks", Widget: t.metered},
		&widget.FormItem{Text: "Restores", Widget: t.restores, HintText: "send files back when the archive asks, even outside the download hours"},
		&widget.FormItem{Text: "Start at login", Widget: t.login},
		&widget.FormItem{Text: "Verify my files every", Widget: t.verify, HintText: "days"},
		&widget.FormItem{Text: "Display name", Widget: t.name, HintText: "shown on the leaderboard only if you opt in below"},
		&widget.FormItem{Text: "Leaderboard", Widget: t.board},
	)
	t.place.addTo(t.form)
	// Own buttons, not the form's: those exist only once the form is drawn.
	t.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), t.save)
	t.saveBtn.Importance = widget.HighImportance
	t.revert = widget.NewButton("Revert", t.load)
	t.saveBtn.Disable()
	t.revert.Disable()

	cards := container.NewVBox(t.storage.content)
	if t.shards != nil {
		cards.Add(t.shards.content)
	}
	t.content = container.NewPadded(container.NewVScroll(container.NewVBox(
		cards,
		widget.NewCard("How Shardkeeper works", "", container.NewVBox(t.form,
			container.NewHBox(t.saveBtn, t.revert), t.result)),
	)))
	return t
}

func (t *settingsTab) show(s snapshot) {
	t.storage.show(s.status)
	if t.shards != nil {
		t.shards.show(s.status)
	}
}

// selected reads the settings the first time the donor opens the tab.
func (t *settingsTab) selected() {
	if !t.loaded {
		t.load()
	}
}

func (t *settingsTab) load() {
	if t.loading {
		return
	}
	t.loading = true
	var s control.Settings
	t.u.call(func(ctx context.Context) (err error) {
		s, err = t.u.api.Settings(ctx)
		return err
	}, func(err error) {
		t.loading = false
		if err != nil {
			t.result.SetText("Couldn't read the settings: " + err.Error())
			return
		}
		t.loaded = true
		t.current = s
		t.fill(s)
		t.result.SetText("")
		t.saveBtn.Enable()
		t.revert.Enable()
	})
}

func (t *settingsTab) fill(s control.Settings) {
	t.bandwidth.SetText(kbpsField(s.BandwidthKBps))
	t.schedule.SetText(s.Schedule)
	t.offHours.SetText(strconv.Itoa(s.OffHoursKBps))
	t.battery.SetChecked(s.PauseOnBattery)
	t.metered.SetChecked(s.PauseOnMetered)
	t.restores.SetChecked(!s.RestoreInScheduleOnly)
	t.login.SetChecked(s.StartAtLogin)
	days := s.VerifyEveryDays
	if days <= 0 {
		days = 30
	}
	t.verify.SetText(strconv.Itoa(days))
	t.name.SetText(s.DisplayName)
	t.board.SetChecked(s.ShowOnBoard)
	t.place.fill(s)
}

// read is the form as settings; the form's validators ran already.
func (t *settingsTab) read() control.Settings {
	s := t.current
	s.BandwidthKBps, _ = atoiEmpty(t.bandwidth.Text)
	s.Schedule = strings.TrimSpace(t.schedule.Text)
	s.OffHoursKBps, _ = atoiEmpty(t.offHours.Text)
	s.PauseOnBattery = t.battery.Checked
	s.PauseOnMetered = t.metered.Checked
	s.RestoreInScheduleOnly = !t.restores.Checked
	s.StartAtLogin = t.login.Checked
	s.VerifyEveryDays, _ = atoiEmpty(t.verify.Text)
	s.DisplayName = strings.TrimSpace(t.name.Text)
	s.ShowOnBoard = t.board.Checked
	t.place.read(&s)
	// The Space tab may have changed the limits since the settings were read.
	if b := t.u.status.Budget; b != nil {
		s.Limits = b.Limits
	}
	return s
}

func (t *settingsTab) save() {
	if err := t.form.Validate(); err != nil {
		t.result.SetText("Check the settings: " + err.Error())
		return
	}
	s := t.read()
	t.saveBtn.Disable()
	t.u.call(func(ctx context.Context) error {
		return t.u.api.UpdateSettings(ctx, s)
	}, func(err error) {
		t.saveBtn.Enable()
		if err != nil {
			t.result.SetText("Couldn't save: " + err.Error())
			return
		}
		t.current = s
		t.result.SetText("Saved.")
		t.u.refreshAsync()
	})
}

func kbpsField(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func atoiEmpty(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}

func validKBps(s string) error {
	if n, err := atoiEmpty(s); err != nil || n < 0 {
		return errors.New("a whole number of KB/s, 0 or more")
	}
	return nil
}

func validDays(s string) error {
	if n, err := atoiEmpty(s); err != nil || n < 1 || n > 365 {
		return errors.New("a number of days from 1 to 365")
	}
	return nil
}

var scheduleRE = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)

func validSchedule(s string) error {
	s = strings.TrimSpace(s)
	if s == "" || scheduleRE.MatchString(s) {
		return nil
	}
	return fmt.Errorf("use HH:MM-HH:MM, e.g. 01:00-07:00")
}
