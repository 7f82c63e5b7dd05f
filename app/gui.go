//go:build !nogui

package app

import (
	"errors"
	"os"
	"runtime"
	"time"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/assets"
	"github.com/shardkeeper/shardkeeper/ui"
)

// AppID is the desktop app's identity: Fyne keys preferences and storage by
// it, and FyneApp.toml names the same ID for packaging.
const AppID = "org.shardkeeper.app"

// GUIOptions configure the desktop app. The zero value is usable.
type GUIOptions struct {
	Title        string        // window title; default "Shardkeeper"
	RefreshEvery time.Duration // how often the window polls the agent; default 2s
}

var (
	// ErrNoDisplay: the GUI can't start here; the caller may offer the headless agent.
	ErrNoDisplay = errors.New("no graphical display found (DISPLAY is not set): run the desktop app from a desktop session, or use `shardkeeper agent` for the headless agent")
	// ErrNoGUI is returned by builds made with -tags nogui.
	ErrNoGUI = errors.New("this build of shardkeeper has no desktop UI (built with -tags nogui): use `shardkeeper agent` and `shardkeeper status`")
)

// RunGUI shows the status window and tray icon and blocks until the donor
// quits. It talks to the agent only through api.
func RunGUI(api control.API, opts GUIOptions) error {
	if err := checkDisplay(); err != nil {
		return err
	}
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(assets.AppIcon)

	u := ui.New(a, api, ui.Options{Title: opts.Title, RefreshEvery: opts.RefreshEvery})
	u.Window().Show()
	u.Start()
	defer u.Stop()
	a.Run()
	return nil
}

// checkDisplay fails early on X11/Wayland systems with no display: Fyne
// would otherwise panic inside GLFW (in SetSystemTrayMenu) with a message no
// donor can act on. Windows and macOS always have a display.
func checkDisplay() error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return ErrNoDisplay
		}
	}
	return nil
}
