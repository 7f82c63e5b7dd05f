//go:build nogui

package app

import (
	"context"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// RunGUI always fails: this build leaves out Fyne and cgo (servers, CI).
func RunGUI(api control.API, opts GUIOptions) error {
	return ErrNoGUI
}

// RunFirstRun always fails: use `shardkeeper join` in this build.
func RunFirstRun(ctx context.Context, opts FirstRunOptions) error {
	return ErrNoGUI
}
