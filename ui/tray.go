package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/shardkeeper/shardkeeper/assets"
)

// Labels of the tray items that do something.
const (
	pauseLabel  = "Pause"
	resumeLabel = "Resume"
	openLabel   = "Open Shardkeeper"
	verifyLabel = "Verify now"
	// The agent service keeps working after the app quits; an agent inside
	// the app stops with it. The label says which, so nobody is surprised.
	quitServiceLabel   = "Quit (keeps protecting in the background)"
	quitInProcessLabel = "Quit (stops protecting until you reopen Shardkeeper)"
)

// trayActions are what the tray's items do; each runs on the UI thread.
type trayActions struct {
	pause  func(pauseChoice)
	resume func()
	open   func()
	verify func()
	quit   func()
}

// tray is the system tray menu:
//
//	Protecting 12,345 files · 48.2 GB   (opens the window)
//	Up to date                          (disabled: information only)
//	Helping the archive restore 3 files (only while the archive asks)
//	─────
//	Pause ▸ 30 minutes … Until I resume  (or Resume, while paused)
//	Open Shardkeeper
//	Verify now
//	─────
//	Quit (keeps protecting in the background)
type tray struct {
	app     desktop.App
	menu    *fyne.Menu
	title   *fyne.MenuItem
	state   *fyne.MenuItem
	restore *fyne.MenuItem // "Helping the archive restore N files", while asked
	pause   *fyne.MenuItem // its ChildMenu holds the pause choices
	resume  *fyne.MenuItem
	open    *fyne.MenuItem
	verify  *fyne.MenuItem
	quit    *fyne.MenuItem
	choices []*fyne.MenuItem

	icon fyne.Resource
	last trayLook // what the tray shows now, to skip redundant updates
}

// trayLook is everything the tray displays; comparing two tells whether
// the OS tray needs updating (each update rebuilds the whole native menu,
// which flickers if it is open, so don't do it every poll).
type trayLook struct {
	title, state string
	restore      string
	paused       bool // show Resume instead of Pause ▸
	toggleOff    bool
	verifyOff    bool
	icon         fyne.Resource
}

func newTray(a desktop.App, do trayActions, quitLabel string) *tray {
	t := &tray{app: a}
	t.title = fyne.NewMenuItem(defaultTitle, do.open)
	t.state = fyne.NewMenuItem("", nil)
	t.state.Disabled = true
	t.restore = fyne.NewMenuItem("", nil)
	t.restore.Disabled = true
	for _, c := range pauseChoices {
		t.choices = append(t.choices, fyne.NewMenuItem(c.label, func() { do.pause(c) }))
	}
	t.pause = fyne.NewMenuItem(pauseLabel, nil)
	t.pause.ChildMenu = fyne.NewMenu(pauseLabel, t.choices...)
	t.resume = fyne.NewMenuItem(resumeLabel, do.resume)
	t.open = fyne.NewMenuItem(openLabel, do.open)
	t.verify = fyne.NewMenuItem(verifyLabel, do.verify)
	t.quit = fyne.NewMenuItem(quitLabel, do.quit)
	// Marked as the quit item, so Fyne does not append a bare "Quit" of its own.
	t.quit.IsQuit = true
	t.menu = fyne.NewMenu(defaultTitle)
	return t
}

// show updates the menu and icon from s; it runs on the UI thread.
func (t *tray) show(s snapshot) {
	look := trayLook{
		title:     defaultTitle,
		paused:    s.status.Paused,
		toggleOff: !s.canToggle(),
		verifyOff: !s.canVerify(),
		icon:      trayIcon(s),
	}
	switch {
	case s.agentErr != nil:
		look.state = "Can't reach the Shardkeeper agent"
	case !s.have:
		look.state = "Connecting to the agent…"
	default:
		look.title = TrayTitle(s.status)
		look.state = StateText(s.status, s.now)
		look.restore = restoreText(s.status)
	}
	if look == t.last && t.icon != nil {
		return
	}

	t.title.Label = look.title
	t.state.Label = look.state
	toggle := t.pause
	if look.paused {
		toggle = t.resume
	}
	toggle.Disabled = look.toggleOff
	for _, c := range t.choices {
		c.Disabled = look.toggleOff
	}
	t.verify.Disabled = look.verifyOff
	t.menu.Items = []*fyne.MenuItem{t.title, t.state}
	if look.restore != "" {
		t.restore.Label = look.restore
		t.menu.Items = append(t.menu.Items, t.restore)
	}
	t.menu.Items = append(t.menu.Items, fyne.NewMenuItemSeparator(),
		toggle, t.open, t.verify, fyne.NewMenuItemSeparator(),
		t.quit)
	t.app.SetSystemTrayMenu(t.menu)
	if look.icon != t.icon {
		t.app.SetSystemTrayIcon(look.icon)
		t.icon = look.icon
	}
	t.last = look
}

// trayIcon: active (green), paused (grey, pause bars) or attention
// (orange, exclamation mark); the app icon until the first status.
func trayIcon(s snapshot) fyne.Resource {
	switch {
	case s.agentErr != nil, s.have && (attention(s.status) || hubLost(s.status, s.now)):
		return assets.TrayAttention
	case !s.have:
		return assets.AppIcon // connecting: no state to show yet
	case s.status.Paused:
		return assets.TrayPaused
	}
	return assets.TrayActive
}
