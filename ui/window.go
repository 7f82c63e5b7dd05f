package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Tab titles, in order: Ctrl+1 … Ctrl+5 (Cmd on macOS) select them.
const (
	overviewTitle = "Overview"
	spaceTitle    = "Space"
	browseTitle   = "Browse"
	activityTitle = "Activity"
	settingsTitle = "Settings"
)

// tabView is one tab's content, redrawn from every snapshot.
type tabView interface {
	show(s snapshot)
}

// selectable tabs do work when the donor opens them (load files, read
// the log), not before: most donors never look.
type selectable interface {
	selected()
}

// mainView is the window's content: a problem banner over the tabs.
type mainView struct {
	content fyne.CanvasObject
	problem *widget.Label // agent unreachable / action failed; hidden when all is well
	tabs    *container.AppTabs
	views   []tabView

	overview *overviewTab
	space    *spaceTab
	browse   *browseTab
	activity *activityTab
	settings *settingsTab
}

func newMainView(u *UI) *mainView {
	v := &mainView{
		problem:  widget.NewLabel(""),
		overview: newOverviewTab(u),
		space:    newSpaceTab(u),
		browse:   newBrowseTab(u),
		activity: newActivityTab(u),
		settings: newSettingsTab(u),
	}
	v.problem.Importance = widget.DangerImportance
	v.problem.Wrapping = fyne.TextWrapWord
	v.problem.Hide()

	v.views = []tabView{v.overview, v.space, v.browse, v.activity, v.settings}
	v.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(overviewTitle, theme.HomeIcon(), v.overview.content),
		container.NewTabItemWithIcon(spaceTitle, theme.StorageIcon(), v.space.content),
		container.NewTabItemWithIcon(browseTitle, theme.FolderOpenIcon(), v.browse.content),
		container.NewTabItemWithIcon(activityTitle, theme.HistoryIcon(), v.activity.content),
		container.NewTabItemWithIcon(settingsTitle, theme.SettingsIcon(), v.settings.content),
	)
	v.tabs.OnSelected = func(*container.TabItem) {
		if s, ok := v.views[v.tabs.SelectedIndex()].(selectable); ok {
			s.selected()
		}
	}
	v.content = container.NewBorder(v.problem, nil, nil, nil, v.tabs)
	return v
}

// mainMenu is the window's menu bar. Its shortcuts work wherever the
// focus is (Fyne gives main-menu shortcuts precedence over a focused entry):
// Ctrl+1…5 (Cmd on macOS) open the tabs, Ctrl+F the file search.
func (v *mainView) mainMenu(c fyne.Canvas, quitLabel string, quit func()) *fyne.MainMenu {
	item := func(label string, k fyne.KeyName, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		it.Shortcut = &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
		return it
	}
	var view []*fyne.MenuItem
	for i, k := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5} {
		view = append(view, item(v.tabs.Items[i].Text, k, func() { v.selectTab(i) }))
	}
	view = append(view, fyne.NewMenuItemSeparator(), item("Search files", fyne.KeyF, func() {
		v.selectTab(2)
		c.Focus(v.browse.search)
	}))
	q := fyne.NewMenuItem(quitLabel, quit)
	q.IsQuit = true
	return fyne.NewMainMenu(
		fyne.NewMenu("Shardkeeper", q),
		fyne.NewMenu("View", view...),
	)
}

// selectTab shows tab i (OnSelected does the tab's work).
func (v *mainView) selectTab(i int) {
	if i >= 0 && i < len(v.tabs.Items) {
		v.tabs.SelectIndex(i)
	}
}

// show draws s; it runs on the UI thread.
func (v *mainView) show(s snapshot) {
	v.showProblem(s)
	for _, t := range v.views {
		t.show(s)
	}
}

func (v *mainView) showProblem(s snapshot) {
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
	setLabel(v.problem, strings.Join(lines, "\n"))
	v.problem.Show()
}

// setOptional hides a line that has nothing to say, instead of leaving a
// blank gap.
func setOptional(l *widget.Label, text string) {
	setLabel(l, text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// The window is polled every two seconds. A widget's setter refreshes it,
// and a refresh repaints the window, whether or not anything changed: an
// idle window that re-set every widget cost 4.6% of a core under software
// rendering. These setters refresh only what changed.

// setLabel sets a label's text when it differs.
func setLabel(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// setImportance sets a label's importance when it differs.
func setImportance(l *widget.Label, i widget.Importance) {
	if l.Importance != i {
		l.Importance = i
		l.Refresh()
	}
}

// setEntry sets an entry's text when it differs (re-setting it would
// also move the cursor).
func setEntry(e *widget.Entry, text string) {
	if e.Text != text {
		e.SetText(text)
	}
}

// setProgress sets a progress bar's value when it differs.
func setProgress(p *widget.ProgressBar, v float64) {
	if p.Value != v {
		p.SetValue(v)
	}
}

// setButton sets a button's text and icon when they differ.
func setButton(b *widget.Button, text string, icon fyne.Resource) {
	if b.Text == text && b.Icon != nil && icon != nil && b.Icon.Name() == icon.Name() {
		return
	}
	b.Text, b.Icon = text, icon
	b.Refresh()
}

// showIf shows o when cond holds, hides it otherwise.
func showIf(o fyne.CanvasObject, cond bool) {
	if cond {
		o.Show()
	} else {
		o.Hide()
	}
}

// heading is a bold section title.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// note is a secondary, wrapping sentence.
func note(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.MediumImportance
	return l
}
