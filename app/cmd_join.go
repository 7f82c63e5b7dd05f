package app

import (
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
)

func newJoinCmd(g *globals) *cobra.Command {
	var hub, storage, budget, name, collection, region, maxFile string
	cmd := &cobra.Command{
		Use:   "join --hub URL --storage DIR --budget SIZE",
		Short: "Register with an archive's hub and get a shard to hold",
		Example: `  shardkeeper join --hub https://archive.example/shardhub --storage /mnt/big/shardkeeper --budget 50GB
  shardkeeper --home ~/donor2 join --hub http://127.0.0.1:8080 --storage /tmp/d2 --budget "1.5 TiB"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := agent.ParseSize(budget)
			if err != nil {
				return fmt.Errorf("--budget: %w", err)
			}
			maxBytes, err := parseMaxFile(maxFile)
			if err != nil {
				return err
			}
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			cfg, err := agent.Join(cmd.Context(), h, g.tools, agent.JoinRequest{
				Hub: hub, Storage: storage, BudgetBytes: n, Name: name,
				Collection: collection, Region: region, MaxFileBytes: maxBytes,
			}, time.Now)
			if err != nil {
				return err
			}
			sh := cfg.Shards[0]
			fmt.Fprintf(cmd.OutOrStdout(), "Joined %s as donor %s.\nHolding up to %s of shard %s (collection %s, %s) in %s.\nStart the agent with: shardkeeper --home %s agent\n",
				cfg.Hub, cfg.DonorUUID, agent.FormatSize(cfg.BudgetBytes), sh.Name, orDash(sh.Collection), words.Count(sh.Files, "file", "files"), sh.Path, h.Dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&hub, "hub", "", "the archive hub's URL (required)")
	cmd.Flags().StringVar(&storage, "storage", "", "folder where the files you hold are kept (required)")
	cmd.Flags().StringVar(&budget, "budget", "", "how much space to donate, e.g. 50GB or 1.5TiB (required)")
	cmd.Flags().StringVar(&name, "name", "", "display name for the hub (optional)")
	cmd.Flags().StringVar(&collection, "collection", "", "the hub's collection to help with (default: the one that needs it most)")
	cmd.Flags().StringVar(&region, "region", "", "roughly where you are, so copies spread: "+regionList()+" (optional)")
	cmd.Flags().StringVar(&maxFile, "max-file-size", "", "hold single files up to SIZE, large ones first (optional, e.g. 500GB)")
	for _, f := range []string{"hub", "storage", "budget"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}
