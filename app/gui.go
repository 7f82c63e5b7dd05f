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
