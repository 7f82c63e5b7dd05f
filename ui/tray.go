package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/shardkeeper/shardkeeper/assets"
)

// Labels of the tray items that do something; the first two items are
// information and change with the status.
const (
	openLabel = "Open Shardkeeper"
)

// tray is the system tray menu:
//
//	Protecting 1,234 files · 48 MB   (opens the window)
//	Up to date                       (disabled: information only)
//	Pause / Resume
//	Open Shardkeeper
//	Quit                             (appended by Fyne)
type tray struct {
	app    desktop.App
	menu   *fyne.Menu
	title  *fyne.MenuItem
	state  *fyne.MenuItem
	toggle *fyne.MenuItem

	icon fyne.Resource
	last trayLook // what the tray shows now, to skip redundant updates
}

// trayLook is everything the tray displays; comparing two tells whether
// the OS tray needs updating (each update rebuilds the whole native menu,
// which flickers if it is open, so don't do it every poll).
type trayLook struct {
	title, state, toggle string
	toggleOff            bool
	icon                 fyne.Resource
}

func newTray(a desktop.App, onToggle, onOpen func()) *tray {
	t := &tray{app: a}
	t.title = fyne.NewMenuItem("Shardkeeper", onOpen)
	t.state = fyne.NewMenuItem("", nil)
	t.state.Disabled = true
	t.toggle = fyne.NewMenuItem("Pause", onToggle)
	t.menu = fyne.NewMenu("Shardkeeper", t.title, t.state, t.toggle, fyne.NewMenuItem(openLabel, onOpen))
	return t
}

// show updates the menu and icon from s; it runs on the UI thread.
func (t *tray) show(s snapshot) {
	look := trayLook{
		title:     "Shardkeeper",
		toggle:    toggleText(s.status),
		toggleOff: !s.canToggle(),
		icon:      trayIcon(s),
	}
	switch {
	case s.agentErr != nil:
		look.state = "Can't reach the Shardkeeper agent"
	case !s.have:
		look.state = "Connecting to the agent…"
	default:
		look.state = StateText(s.status)
	}
	if s.have {
		look.title = TrayTitle(s.status)
	}
	if look == t.last && t.icon != nil {
		return
	}

	t.title.Label = look.title
	t.state.Label = look.state
	t.toggle.Label = look.toggle
	t.toggle.Disabled = look.toggleOff
	t.app.SetSystemTrayMenu(t.menu)
	if look.icon != t.icon {
		t.app.SetSystemTrayIcon(look.icon)
		t.icon = look.icon
	}
	t.last = look
}

func trayIcon(s snapshot) fyne.Resource {
	switch {
	case s.agentErr != nil, s.have && attention(s.status):
		return assets.TrayAttention
	case !s.have:
		return assets.AppIcon // connecting: no state to show yet
	case s.status.Paused:
		return assets.TrayPaused
	}
	return assets.TrayActive
}
