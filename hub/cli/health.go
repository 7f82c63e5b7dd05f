package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/spf13/cobra"
)

func newHealthCmd() *cobra.Command {
	var data string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "health --data DATA [--json]",
		Short: "Show how many donor copies each shard's files have",
		Long: `health reads every shard's git-annex branch and the branches donors pushed,
and counts, per shard, the files that have 0, 1, 2, ... donor copies (the
archive's own copy is not counted). --json prints what GET /api/v1/health
answers.`,
		Example: `  shardhub health --data /srv/shardhub
  shardhub health --data /srv/shardhub --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireShards(data); err != nil {
				return err
			}
			report, err := health.Compute(cmd.Context(), data, annex.Git{})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(report)
			}
			return printHealth(cmd.OutOrStdout(), report)
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "data directory `DATA` written by shardhub build")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	cmd.MarkFlagRequired("data")
	return cmd
}

// printHealth writes a table with one column per number of copies seen.
func printHealth(w io.Writer, r health.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"SHARD", "FILES", "SIZE", "DONORS"}
	for n := range r.Total.Copies {
		header = append(header, copiesLabel(n))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	row := func(name string, c health.Counts) {
		cells := []string{name, humanize.Comma(int64(c.Files)), humanize.Bytes(uint64(c.Bytes)), humanize.Comma(int64(c.Donors))}
		for n := range r.Total.Copies {
			keys := 0
			if n < len(c.Copies) {
				keys = c.Copies[n]
			}
			cells = append(cells, humanize.Comma(int64(keys)))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	for _, s := range r.Shards {
		row(s.Name, s.Counts)
	}
	row("total", r.Total.Counts)
	return tw.Flush()
}

func copiesLabel(n int) string {
	if n == 1 {
		return "1 COPY"
	}
	return fmt.Sprintf("%d COPIES", n)
}
