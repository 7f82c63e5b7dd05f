package app

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
)

func newPauseCmd(g *globals, pause bool) *cobra.Command {
	var snooze string
	use, short := "resume", "Resume fetching and verifying"
	if pause {
		use, short = "pause", "Pause all work until resumed, or for a while (survives restarts)"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			var until time.Time
			if snooze != "" {
				if until, err = control.SnoozeUntil(snooze, time.Now()); err != nil {
					return err // says what to use instead
				}
			}
			err = orOffline(cmd.Context(), h, askTimeout, func(ctx context.Context, c *control.Client) error {
				switch {
				case !pause:
					return c.Resume(ctx)
				case until.IsZero():
					return c.Pause(ctx)
				default:
					return c.PauseUntil(ctx, until)
				}
			}, func() error { return agent.SetPausedOffline(h, pause, until) })
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case !pause:
				fmt.Fprintln(out, "Resumed.")
			case until.IsZero():
				fmt.Fprintln(out, "Paused. Run `shardkeeper resume` to continue.")
			default:
				fmt.Fprintf(out, "Paused until %s. Run `shardkeeper resume` to continue sooner.\n", until.Format("Mon 15:04"))
			}
			return nil
		},
	}
	if pause {
		cmd.Flags().StringVar(&snooze, "for", "", "pause only for a while: 30m, 1h, 3h or until-tomorrow (08:00)")
	}
	return cmd
}
