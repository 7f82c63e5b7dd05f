package app

import (
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
)

func newJoinCmd(g *globals) *cobra.Command {
	var hub, storage, budget, name string
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
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			cfg, err := agent.Join(cmd.Context(), h, g.tools, agent.JoinRequest{
				Hub: hub, Storage: storage, BudgetBytes: n, Name: name,
			}, time.Now)
			if err != nil {
				return err
			}
			sh := cfg.Shards[0]
			fmt.Fprintf(cmd.OutOrStdout(), "Joined %s as donor %s.\nHolding up to %s of shard %s (%s) in %s.\nStart the agent with: shardkeeper --home %s agent\n",
				cfg.Hub, cfg.DonorUUID, agent.FormatSize(cfg.BudgetBytes), sh.Name, words.Count(sh.Files, "file", "files"), sh.Path, h.Dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&hub, "hub", "", "the archive hub's URL (required)")
	cmd.Flags().StringVar(&storage, "storage", "", "folder where the files you hold are kept (required)")
	cmd.Flags().StringVar(&budget, "budget", "", "how much space to donate, e.g. 50GB or 1.5TiB (required)")
	cmd.Flags().StringVar(&name, "name", "", "display name for the hub (optional)")
	for _, f := range []string{"hub", "storage", "budget"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}
