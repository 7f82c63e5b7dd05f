package cli

import (
	"encoding/json"
	"fmt"

	"github.com/shardkeeper/shardkeeper/hub/compact"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"github.com/spf13/cobra"
)

type compactOptions struct {
	data, shard string
	json        bool
}

// newCompactCmd compacts shards now; serve also does it on a schedule
// (--compact-every).
func newCompactCmd() *cobra.Command {
	var o compactOptions
	cmd := &cobra.Command{
		Use:   "compact --data DATA [--shard NAME] [--json]",
		Short: "Merge the donors' branches into each shard's git-annex branch and forget its history",
		Long: `compact merges every donor's pushed git-annex branch into the shard's
git-annex branch, keeps per file the newest location-log line of each
repository (and every trust, uuid and other log line), and makes that the
branch's whole history: one commit carrying git-annex's own "forget git
history" transition, as 'git annex forget' records it. Every donor ref moves
to that commit, and the repository is repacked without the old history.

Donors' git-annex sees the transition on its next fetch, follows it on its
own branch and pushes on as before; a fresh clone fetches only the current
state. Nothing a donor said is lost: see docs/compaction.md.

It runs beside a running serve (which also compacts every --compact-every);
a push that lands meanwhile makes it start that shard again.`,
		Example: `  shardhub compact --data /srv/shardhub
  shardhub compact --data /srv/shardhub --shard shard-0007 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "data directory `DATA` written by shardhub build")
	f.StringVar(&o.shard, "shard", "", "compact only the shard `NAME` (default: every shard)")
	f.BoolVar(&o.json, "json", false, "print what was done as JSON")
	cmd.MarkFlagRequired("data")
	return cmd
}

func (o compactOptions) run(cmd *cobra.Command) error {
	if err := requireShards(o.data); err != nil {
		return err
	}
	res, err := compact.DataDir(cmd.Context(), o.data, o.shard, compact.Options{})
	if o.json {
		if res == nil {
			res = []compact.Result{}
		}
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(res); jerr != nil {
			return jerr
		}
		return err
	}
	out := cmd.OutOrStdout()
	for _, r := range res {
		if r.Skipped {
			fmt.Fprintf(out, "%s: already compact (repacked: %s)\n", r.Shard, words.Size(r.BytesAfter))
			continue
		}
		fmt.Fprintf(out, "%s: %s -> %s; %s, %s merged from %s\n", r.Shard, words.Size(r.BytesBefore), words.Size(r.BytesAfter),
			words.Count(int64(r.Files), "file", "files"), words.Count(int64(r.Merged), "file", "files"),
			words.Count(int64(r.DonorRefs), "donor branch", "donor branches"))
	}
	return err
}
