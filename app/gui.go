//go:build !nogui

package app

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
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

// RunGUI shows the window and tray icon and blocks until the donor quits.
// It talks to the agent only through api.
func RunGUI(api control.API, opts GUIOptions) error {
	if err := checkDisplay(); err != nil {
		return err
	}
	a := newFyneApp()
	u := ui.New(a, api, uiOptions(opts))
	u.Window().Show()
	u.Start()
	defer u.Stop()
	a.Run()
	return nil
}

// RunFirstRun shows the first-run wizard for a home that has not joined a
// hub yet (or, if git-annex is missing, what to install): it joins with
// agent.Join, starts the agent with opts.Start, then shows the main window
// in the same place, and blocks until the donor quits or ctx ends.
func RunFirstRun(ctx context.Context, opts FirstRunOptions) error {
	if opts.Start == nil {
		return errors.New("RunFirstRun needs a way to start the agent (FirstRunOptions.Start)")
	}
	if err := checkDisplay(); err != nil {
		return err
	}
	a := newFyneApp()
	j := joiner{home: opts.Home, tools: opts.Tools}
	f := ui.NewFirstRun(a, j, ui.FirstRunOptions{
		Context:  ctx,
		Hub:      opts.Hub,
		Storage:  opts.Storage,
		Start:    opts.Start,
		UI:       uiOptions(opts.GUIOptions),
		LookPath: j.lookPath,
	})
	f.Window().Show()
	defer f.Stop()
	stop := context.AfterFunc(ctx, func() { fyne.Do(a.Quit) })
	defer stop()
	a.Run()
	return nil
}

func newFyneApp() fyne.App {
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(assets.AppIcon)
	return a
}

func uiOptions(o GUIOptions) ui.Options {
	return ui.Options{Title: o.Title, RefreshEvery: o.RefreshEvery, AgentInProcess: o.AgentInProcess}
}

// joiner is the wizard's way to join before any agent exists.
type joiner struct {
	home  home.Home
	tools agent.Tools
}

func (j joiner) Join(ctx context.Context, hub, storage string, budget int64) error {
	_, err := agent.Join(ctx, j.home, j.tools, agent.JoinRequest{Hub: hub, Storage: storage, BudgetBytes: budget}, time.Now)
	return err
}

func (j joiner) FreeSpace(path string) (int64, error) { return ui.FreeSpace(path) }

// lookPath finds the programs the wizard checks for, as this home's agent
// will run them (the tools may be configured by path).
func (j joiner) lookPath(name string) (string, error) {
	switch name {
	case "git":
		name = j.tools.Git
	case "git-annex":
		name = j.tools.GitAnnex
	}
	return exec.LookPath(name)
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
