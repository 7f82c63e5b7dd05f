package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newLeaveCmd(g *globals) *cobra.Command {
	var deadline string
	var yes bool
	cmd := &cobra.Command{
		Use:   "leave [--deadline 30d] [--yes]",
		Short: "Finish and give my space back: leave the hub once others hold your files",
		Long: `Tell the hub you are leaving. The agent stops fetching, gives back at once
the files other donors hold enough copies of, and keeps the others until other
donors have them or the deadline passes; then it gives back everything and
deregisters. Keep the agent running meanwhile.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := parseDays(deadline)
			if err != nil {
				return fmt.Errorf("--deadline: %w", err)
			}
			out := cmd.OutOrStdout()
			if !yes && !confirm(cmd.InOrStdin(), out, "Leave the hub and give all your space back?") {
				return fmt.Errorf("not leaving: confirm with --yes")
			}
			by := time.Now().Add(d)
			return withAgent(cmd.Context(), g, func(api control.API, local *agent.Agent, h home.Home) error {
				var err error
				if lb, ok := api.(control.LeaverBy); ok {
					err = lb.LeaveBy(cmd.Context(), by)
				} else {
					err = api.Leave(cmd.Context())
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "Leaving. Files that still lack copies are kept until others have them, at the latest until %s.\n", by.Format(time.DateOnly))
				if local != nil {
					fmt.Fprintln(out, notRunningNote(h))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&deadline, "deadline", "30d", "after this long, give back even files that still lack copies (e.g. 30d, 12h)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// parseDays reads a duration that may be given in days ("30d").
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("%q is not a number of days such as 30d", s)
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 30d or 12h", s)
	}
	return d, nil
}
