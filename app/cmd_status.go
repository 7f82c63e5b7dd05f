package app

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"io"

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
			st, err := homeStatus(cmd.Context(), g)
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
func currentStatus(ctx context.Context, g *globals, h home.Home) (st control.Status, err error) {
	err = orOffline(ctx, h, askTimeout, func(ctx context.Context, c *control.Client) (err error) {
		st, err = c.Status(ctx)
		return err
	}, func() (err error) {
		st, err = agent.OfflineStatus(h, agent.Options{Tools: g.tools})
		return err
	})
	return st, err
}

// homeStatus resolves the home and says where things stand there.
func homeStatus(ctx context.Context, g *globals) (control.Status, error) {
	h, err := g.resolveHome()
	if err != nil {
		return control.Status{}, err
	}
	return currentStatus(ctx, g, h)
}

func printStatus(w io.Writer, st control.Status) {
	if st.State == control.StateNotJoined {
		fmt.Fprintln(w, st.Message)
		return
	}
	fmt.Fprintf(w, "Protecting %s, %s (budget %s)\n", words.Count(st.FilesProtected, "file", "files"),
		agent.FormatSize(st.BytesHeld), agent.FormatSize(st.BudgetBytes))
	fmt.Fprintf(w, "State: %s", st.State)
	if st.Message != "" {
		fmt.Fprintf(w, " — %s", st.Message)
	}
	fmt.Fprintln(w)
	if b := st.Budget; b != nil {
		fmt.Fprintf(w, "Budget: %s, set by %s (%s)\n", agent.FormatSize(b.EffectiveBytes), bindingText(b.Binding), limitsText(b.Limits))
		if b.Disk.TotalBytes > 0 {
			fmt.Fprintf(w, "Drive: %s used by Shardkeeper, %s by others, %s free of %s\n", agent.FormatSize(b.Disk.UsedByShardkeeper),
				agent.FormatSize(b.Disk.UsedByOthers), agent.FormatSize(b.Disk.AvailableBytes), agent.FormatSize(b.Disk.TotalBytes))
		}
	}
	for _, t := range st.Transfers {
		name := t.File
		if name == "" {
			name = t.Key
		}
		fmt.Fprintf(w, "  fetching %s: %s of %s, %s/s\n", name, agent.FormatSize(t.DoneBytes), agent.FormatSize(t.TotalBytes), agent.FormatSize(int64(t.BytesPerSec)))
	}
	if st.FilesFewCopies > 0 {
		fmt.Fprintf(w, "%s of your files have fewer than %d copies elsewhere.\n", humanize.Comma(st.FilesFewCopies), st.TargetCopies)
	}
	if st.FilesSkipped > 0 {
		fmt.Fprintf(w, "%s %s skipped after repeated download failures (see `shardkeeper log`).\n", words.Count(st.FilesSkipped, "file", "files"), words.Agree(st.FilesSkipped, "was", "were"))
	}
	if r := st.Restore; r.Requested > 0 || r.Uploaded > 0 {
		fmt.Fprintf(w, "Restores: %d requested now; %s sent back so far (%s)\n", r.Requested,
			words.Count(r.Uploaded, "file", "files"), agent.FormatSize(r.BytesUploaded))
	}
	if st.HubProblem != "" {
		fmt.Fprintf(w, "Last report to the hub failed: %s\n", st.HubProblem)
	}
	fmt.Fprintf(w, "Hub: %s\nDonor: %s\n", st.Hub, st.DonorUUID)
	for _, sh := range st.Shards {
		fmt.Fprintf(w, "  %s: %s of %s files, %s  (%s)\n", sh.Name, humanize.Comma(sh.FilesHeld),
			humanize.Comma(sh.Files), agent.FormatSize(sh.BytesHeld), sh.Path)
	}
}

func bindingText(b string) string {
	switch b {
	case control.BindKeepFree:
		return "keep-free"
	case control.BindMaxPercent:
		return "max-percent"
	}
	return "max"
}

func limitsText(l control.Limits) string {
	s := ""
	add := func(part string) {
		if s != "" {
			s += ", "
		}
		s += part
	}
	if l.MaxBytes > 0 {
		add("use at most " + agent.FormatSize(l.MaxBytes))
	}
	if l.KeepFreeBytes > 0 {
		add("keep " + agent.FormatSize(l.KeepFreeBytes) + " free")
	}
	if l.MaxPercent > 0 {
		add(fmt.Sprintf("at most %g%% of the drive", l.MaxPercent))
	}
	return s
}
