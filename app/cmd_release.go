package app

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newReleaseCmd(g *globals) *cobra.Command {
	var shard string
	cmd := &cobra.Command{
		Use:   "release PATH",
		Short: "Give one file back now (it is not fetched again)",
		Long: `Give back the space of one file you hold. PATH is its path in the shard
(as "shardkeeper files" shows it) or on disk. The archive's copy is checked
first; the file is never fetched again by this donor.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := withAgent(cmd.Context(), g, func(api control.API, _ *agent.Agent, _ home.Home) error {
				return api.Release(cmd.Context(), shard, args[0])
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Gave back %s.\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&shard, "shard", "", "the shard the file is in (when you hold several)")
	return cmd
}
