package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newStatusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what this donor protects",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			st, err := currentStatus(cmd.Context(), h)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			printStatus(cmd.OutOrStdout(), st)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	return cmd
}

// currentStatus asks the running agent, or reads the home when none runs.
func currentStatus(ctx context.Context, h home.Home) (control.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := control.NewClient(h.SocketPath()).Status(ctx)
	if err == nil {
		return st, nil
	}
	if !errors.Is(err, control.ErrNotRunning) {
		return st, err
	}
	return agent.OfflineStatus(h)
}

func printStatus(w io.Writer, st control.Status) {
	if st.State == control.StateNotJoined {
		fmt.Fprintln(w, st.Message)
		return
	}
	fmt.Fprintf(w, "Protecting %s files (%s of %s budget)\n", humanize.Comma(st.FilesProtected),
		agent.FormatSize(st.BytesHeld), agent.FormatSize(st.BudgetBytes))
	fmt.Fprintf(w, "State: %s", st.State)
	if st.Message != "" {
		fmt.Fprintf(w, " — %s", st.Message)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Hub: %s\nDonor: %s\n", st.Hub, st.DonorUUID)
	for _, sh := range st.Shards {
		fmt.Fprintf(w, "  %s: %s of %s files, %s  (%s)\n", sh.Name, humanize.Comma(sh.FilesHeld),
			humanize.Comma(sh.Files), agent.FormatSize(sh.BytesHeld), sh.Path)
	}
}
