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
					return errors.New(err.Error()[len(control.ErrInvalid.Error())+2:])
				}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			c := agentClient(h)
			switch {
			case !pause:
				err = c.Resume(ctx)
			case until.IsZero():
				err = c.Pause(ctx)
			default:
				err = c.PauseUntil(ctx, until)
			}
			if errors.Is(err, control.ErrNotRunning) {
				err = agent.SetPausedOffline(h, pause, until)
			}
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
