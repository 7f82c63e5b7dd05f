package app

import (
	"bufio"
	"context"
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newBudgetCmd(g *globals) *cobra.Command {
	var maxSize, keepFree, maxPercent string
	var yes bool
	cmd := &cobra.Command{
		Use:   "budget [--max SIZE] [--keep-free SIZE] [--max-percent N] [--yes]",
		Short: "Show or change how much space you donate (the most restrictive limit wins)",
		Long: `Without flags, show the three limits, the effective budget and which limit
binds. With flags, change them (0 removes a limit) and show the effect first.
Lowering the budget gives space back at once: the files with the most copies
elsewhere go first. It asks for confirmation unless --yes.`,
		Example: `  shardkeeper budget --max 50GB --keep-free 20GB
  shardkeeper budget --max-percent 10 --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAgent(cmd.Context(), g, func(api control.API, local *agent.Agent, h home.Home) error {
				return runBudget(cmd, api, local, h, budgetFlags{maxSize, keepFree, maxPercent, yes})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&maxSize, "max", "", "use at most SIZE (e.g. 50GB; 0 removes the limit)")
	f.StringVar(&keepFree, "keep-free", "", "leave at least SIZE free on the drive")
	f.StringVar(&maxPercent, "max-percent", "", "use at most N% of the drive")
	f.BoolVarP(&yes, "yes", "y", false, "give space back without asking")
	return cmd
}

type budgetFlags struct {
	maxSize, keepFree, maxPercent string
	yes                           bool
}

// runBudget shows the budget, or previews, confirms and applies new limits.
func runBudget(cmd *cobra.Command, api control.API, local *agent.Agent, h home.Home, o budgetFlags) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	st, err := api.Status(ctx)
	if err != nil {
		return err
	}
	cur := st.Budget.Limits
	l := cur
	f := cmd.Flags()
	if f.Changed("max") {
		if l.MaxBytes, err = parseLimitSize(o.maxSize); err != nil {
			return fmt.Errorf("--max: %w", err)
		}
	}
	if f.Changed("keep-free") {
		if l.KeepFreeBytes, err = parseLimitSize(o.keepFree); err != nil {
			return fmt.Errorf("--keep-free: %w", err)
		}
	}
	if f.Changed("max-percent") {
		p, perr := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(o.maxPercent), "%"), 64)
		if perr != nil {
			return fmt.Errorf("--max-percent: %q is not a number such as 10 or 12.5", o.maxPercent)
		}
		l.MaxPercent = p
	}
	if l == cur {
		printBudget(out, *st.Budget)
		return nil
	}
	plan, err := api.PreviewBudget(ctx, l)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "New budget: %s, set by %s (%s); now %s.\n", agent.FormatSize(plan.Budget.EffectiveBytes),
		bindingText(plan.Budget.Binding), limitsText(l), agent.FormatSize(st.Budget.EffectiveBytes))
	if plan.ReleaseBytes > 0 {
		fmt.Fprintf(out, "This gives back %s now (%s, those with the most copies elsewhere first).\n",
			agent.FormatSize(plan.ReleaseBytes), words.Count(plan.ReleaseFiles, "file", "files"))
		if !o.yes && !confirm(cmd.InOrStdin(), out, "Give the space back now?") {
			return fmt.Errorf("budget not changed: confirm with --yes")
		}
	}
	if _, err := api.SetBudget(ctx, l); err != nil {
		return err
	}
	if local != nil {
		fmt.Fprintln(out, "Giving space back…")
		if err := local.GiveBack(ctx); err != nil {
			return err
		}
		fmt.Fprintln(out, "Budget changed.", notRunningNote(h))
		return nil
	}
	if plan.ReleaseBytes > 0 {
		return waitGivenBack(ctx, api, out)
	}
	fmt.Fprintln(out, "Budget changed.")
	return nil
}

func parseLimitSize(s string) (int64, error) {
	if strings.TrimSpace(s) == "0" {
		return 0, nil
	}
	return agent.ParseSize(s)
}

func printBudget(w io.Writer, b control.Budget) {
	fmt.Fprintf(w, "Budget: %s, set by %s\n", agent.FormatSize(b.EffectiveBytes), bindingText(b.Binding))
	show := func(name string, set bool, v string) {
		if !set {
			v = "not set"
		}
		fmt.Fprintf(w, "  %-13s %s\n", name, v)
	}
	show("--max", b.MaxBytes > 0, agent.FormatSize(b.MaxBytes))
	show("--keep-free", b.KeepFreeBytes > 0, agent.FormatSize(b.KeepFreeBytes))
	show("--max-percent", b.MaxPercent > 0, fmt.Sprintf("%g%%", b.MaxPercent))
	if b.Disk.TotalBytes > 0 {
		fmt.Fprintf(w, "Drive %s: %s used by Shardkeeper, %s free of %s\n", b.Disk.Path, agent.FormatSize(b.Disk.UsedByShardkeeper),
			agent.FormatSize(b.Disk.AvailableBytes), agent.FormatSize(b.Disk.TotalBytes))
	}
}

// confirm asks a yes/no question on the terminal; anything but yes is no.
func confirm(in io.Reader, out io.Writer, q string) bool {
	fmt.Fprintf(out, "%s [y/N] ", q)
	line, _ := bufio.NewReader(in).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

// waitGivenBack follows the agent until the space is given back.
func waitGivenBack(ctx context.Context, api control.API, out io.Writer) error {
	fmt.Fprintln(out, "Giving space back… (Ctrl-C stops waiting; the agent carries on)")
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(300 * time.Millisecond):
		}
		st, err := api.Status(ctx)
		if err != nil {
			return err
		}
		if b := st.Budget; st.Releasing == nil && b != nil && b.Disk.UsedByShardkeeper <= b.EffectiveBytes {
			fmt.Fprintf(out, "Done: %s used of the budget of %s.\n", agent.FormatSize(b.Disk.UsedByShardkeeper), agent.FormatSize(b.EffectiveBytes))
			return nil
		}
		if st.Releasing == nil && st.State == control.StateError {
			return fmt.Errorf("giving space back stopped: %s", st.Message)
		}
	}
	fmt.Fprintln(out, "Still giving space back; see `shardkeeper status`.")
	return nil
}
