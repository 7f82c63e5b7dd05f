package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
)

func newPauseCmd(g *globals, pause bool) *cobra.Command {
	use, short, done := "resume", "Resume fetching and verifying", "Resumed."
	if pause {
		use, short, done = "pause", "Pause all work until resumed (survives restarts)", "Paused. Run `shardkeeper resume` to continue."
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			c := control.NewClient(h.SocketPath())
			if pause {
				err = c.Pause(ctx)
			} else {
				err = c.Resume(ctx)
			}
			if errors.Is(err, control.ErrNotRunning) {
				err = agent.SetPausedOffline(h, pause)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), done)
			return nil
		},
	}
}
