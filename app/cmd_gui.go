package app

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newGUICmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gui",
		Short: "Open the desktop app (the default when run without a command)",
		Long: `Open the desktop app. A home that has not joined a hub yet starts with a
short first-run wizard: where to store, how much to donate, and join.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGUICommand(cmd.Context(), g)
		},
	}
	cmd.Flags().StringVar(&g.suggestHub, "hub", "", "the hub the first-run wizard suggests")
	return cmd
}

// runGUICommand opens the desktop app on the home's agent, starting the
// agent inside this process when none is running yet, and the first-run
// wizard when the home has not joined a hub.
func runGUICommand(ctx context.Context, g *globals) error {
	h, err := g.resolveHome()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := func(ctx context.Context) (control.API, error) {
		if err := startAgent(ctx, g, h, 10*time.Minute); err != nil {
			return nil, err
		}
		return agentClient(h), nil
	}
	if _, err := h.LoadConfig(); errors.Is(err, home.ErrNotJoined) {
		return RunFirstRun(ctx, FirstRunOptions{
			GUIOptions: GUIOptions{Title: "Shardkeeper", AgentInProcess: true},
			Home:       h, Tools: g.tools, Hub: g.suggestHub, Start: start,
		})
	}
	client := agentClient(h)
	inProcess := false
	if _, err := client.Status(ctx); errors.Is(err, control.ErrNotRunning) {
		if _, err := start(ctx); err != nil {
			return err
		}
		inProcess = true
	}
	return RunGUI(client, GUIOptions{Title: "Shardkeeper", AgentInProcess: inProcess})
}
