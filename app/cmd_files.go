package app

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newFilesCmd(g *globals) *cobra.Command {
	var q control.FileQuery
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "files [--filter TEXT] [--held] [--json]",
		Short: "List the files of your shards, and which you hold",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var list control.FileList
			err := withAgent(cmd.Context(), g, func(api control.API, _ *agent.Agent, _ home.Home) (err error) {
				list, err = api.Files(cmd.Context(), q)
				return err
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "HELD\tCOPIES\tSIZE\tPATH")
			for _, f := range list.Files {
				held := "-"
				if f.Held {
					held = "yes"
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", held, f.Copies, agent.FormatSize(f.Size), f.Path)
			}
			tw.Flush()
			if shown := list.Offset + len(list.Files); shown < list.Total {
				fmt.Fprintf(out, "… %d of %d shown; see more with --offset %d\n", len(list.Files), list.Total, shown)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Filter, "filter", "", "only paths containing TEXT (any case)")
	f.BoolVar(&q.HeldOnly, "held", false, "only files you hold")
	f.StringVar(&q.Shard, "shard", "", "only this shard")
	f.IntVar(&q.Offset, "offset", 0, "skip this many files")
	f.IntVar(&q.Limit, "limit", 100, "show at most this many files")
	f.BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	return cmd
}
