package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newGUICmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "gui",
		Short: "Open the desktop app (the default when run without a command)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGUICommand(cmd.Context(), g)
		},
	}
}

// runGUICommand opens the desktop app on the home's agent, starting the
// agent inside this process when none is running yet.
func runGUICommand(ctx context.Context, g *globals) error {
	h, err := g.resolveHome()
	if err != nil {
		return err
	}
	if _, err := h.LoadConfig(); errors.Is(err, home.ErrNotJoined) {
		return fmt.Errorf("%w; or try the demo: shardkeeper demo", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client := control.NewClient(h.SocketPath())
	if _, err := client.Status(ctx); errors.Is(err, control.ErrNotRunning) {
		if err := startAgent(ctx, g, h, 10*time.Minute); err != nil {
			return err
		}
	}
	return RunGUI(client, GUIOptions{Title: "Shardkeeper"})
}
