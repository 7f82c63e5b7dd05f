//go:build nogui

package app

import (
	"context"
	"errors"
	"time"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// AppID is the desktop app's identity (see gui.go); kept here so both
// builds export the same names.
const AppID = "org.shardkeeper.app"

// GUIOptions mirrors the GUI build's options so callers compile either way.
type GUIOptions struct {
	Title          string
	RefreshEvery   time.Duration
	AgentInProcess bool
}

// FirstRunOptions mirrors the GUI build's options so callers compile either way.
type FirstRunOptions struct {
	GUIOptions
	Home    home.Home
	Tools   agent.Tools
	Hub     string
	Storage string
	Start   func(ctx context.Context) (control.API, error)
}

var (
	// ErrNoDisplay is never returned by this build; it exists so callers
	// compile with and without -tags nogui.
	ErrNoDisplay = errors.New("no graphical display found (DISPLAY is not set): run the desktop app from a desktop session, or use `shardkeeper agent` for the headless agent")
	// ErrNoGUI is what RunGUI and RunFirstRun return in this build.
	ErrNoGUI = errors.New("this build of shardkeeper has no desktop UI (built with -tags nogui): use `shardkeeper agent` and `shardkeeper status`")
)

// RunGUI always fails: this build leaves out Fyne and cgo (servers, CI).
func RunGUI(api control.API, opts GUIOptions) error {
	return ErrNoGUI
}

// RunFirstRun always fails: use `shardkeeper join` in this build.
func RunFirstRun(ctx context.Context, opts FirstRunOptions) error {
	return ErrNoGUI
}
