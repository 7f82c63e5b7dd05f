package app

// The desktop app's options and errors, the same in the GUI build (gui.go)
// and the headless one (gui_nogui.go), so callers compile either way.

import (
	"context"
	"errors"
	"time"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// AppID is the desktop app's identity: Fyne keys preferences and storage by
// it, and FyneApp.toml names the same ID for packaging.
const AppID = "org.shardkeeper.app"

// GUIOptions configure the desktop app. The zero value is usable.
type GUIOptions struct {
	Title        string        // window title; default "Shardkeeper"
	RefreshEvery time.Duration // how often the window polls the agent; default 2s
	// AgentInProcess says the agent runs inside this process, so quitting
	// the app stops it (the tray's Quit item says so); otherwise the agent
	// is a service that keeps protecting after the app quits.
	AgentInProcess bool
}

// FirstRunOptions configure RunFirstRun: the home to join and how to
// start its agent afterwards.
type FirstRunOptions struct {
	GUIOptions
	Home  home.Home
	Tools agent.Tools
	// Hub is the archive hub the wizard offers; the donor may change it.
	Hub string
	// Storage is the folder the wizard suggests (default ~/Shardkeeper).
	Storage string
	// Start runs the agent of the newly joined home (in this process or as
	// a service) and returns a client for it. Required.
	Start func(ctx context.Context) (control.API, error)
}

var (
	// ErrNoDisplay: the GUI can't start here; the caller may offer the headless agent.
	ErrNoDisplay = errors.New("no graphical display found (DISPLAY is not set): run the desktop app from a desktop session, or use `shardkeeper agent` for the headless agent")
	// ErrNoGUI is returned by builds made with -tags nogui.
	ErrNoGUI = errors.New("this build of shardkeeper has no desktop UI (built with -tags nogui): use `shardkeeper agent` and `shardkeeper status`")
)
