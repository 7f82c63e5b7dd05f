package app

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newShardsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "shards [add [--collection NAME] | remove SHARD]",
		Short: "List the shards you help with; take another or give one back",
		Long: `Without a subcommand, lists your shards and their collections.
"shards add" asks the hub for another shard, of a collection you name or of
the one that needs copies most. "shards remove SHARD" gives one shard back
the way leaving does: files that other donors hold enough copies of go at
once, the others as soon as other donors have them (at the latest after 30
days); then the hub forgets you in that shard.`,
		Example: `  shardkeeper shards
  shardkeeper shards add --collection music
  shardkeeper shards remove shard-0002`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := homeStatus(cmd.Context(), g)
			if err != nil {
				return err
			}
			return printShards(cmd.OutOrStdout(), st.Shards)
		},
	}
	var collection string
	add := &cobra.Command{
		Use:   "add [--collection NAME]",
		Short: "Take another shard, of a collection or where it is needed most",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSharder(cmd, g, func(s control.Sharder, local *agent.Agent, h home.Home) error {
				st, err := s.AddShard(cmd.Context(), collection)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Added %s (collection %s, %d files) in %s.\n", st.Name, orDash(st.Collection), st.Files, st.Path)
				return nil
			})
		},
	}
	add.Flags().StringVar(&collection, "collection", "", "the hub's collection to help with (default: the one that needs it most)")
	remove := &cobra.Command{
		Use:   "remove SHARD",
		Short: "Give one shard back, as leaving does",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSharder(cmd, g, func(s control.Sharder, local *agent.Agent, h home.Home) error {
				if err := s.RemoveShard(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Giving %s back: its files go as soon as other donors hold enough copies of them.\n", args[0])
				if local != nil {
					fmt.Fprintln(cmd.OutOrStdout(), notRunningNote(h))
				}
				return nil
			})
		},
	}
	cmd.AddCommand(add, remove)
	return cmd
}

// withSharder runs fn with the running agent, or the home's agent here.
func withSharder(cmd *cobra.Command, g *globals, fn func(control.Sharder, *agent.Agent, home.Home) error) error {
	return withAgent(cmd.Context(), g, func(api control.API, local *agent.Agent, h home.Home) error {
		s, ok := api.(control.Sharder)
		if !ok {
			return fmt.Errorf("this agent cannot change shards: update Shardkeeper")
		}
		return fn(s, local, h)
	})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printShards is the table of `shards`.
func printShards(w io.Writer, shards []control.ShardStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SHARD\tCOLLECTION\tFILES HELD\tHELD\tSTATE\tPATH")
	for _, s := range shards {
		state := "helping"
		if s.Leaving {
			state = "giving back"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d of %d\t%s\t%s\t%s\n", s.Name, orDash(s.Collection), s.FilesHeld, s.Files, agent.FormatSize(s.BytesHeld), state, s.Path)
	}
	return tw.Flush()
}
