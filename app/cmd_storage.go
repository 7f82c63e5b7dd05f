package app

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newStorageCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "storage add|list|remove",
		Short: "Manage storage folders, also on drives that come and go",
		Long: `Your files can live in several storage folders, each with its own budget,
also on removable or network drives. Each folder gets a small marker file
(` + agent.MarkerName + `), so the agent knows it when the drive comes back,
even at another mount point. While a drive is not connected its files wait:
nothing is downloaded there and nothing is reported lost.`,
	}
	var budget string
	add := &cobra.Command{
		Use:   "add DIR [--budget SIZE]",
		Short: "Add a storage folder that holds up to SIZE of new shards",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			var n int64
			if budget != "" {
				if n, err = agent.ParseSize(budget); err != nil {
					return err
				}
			}
			l, err := addStorage(cmd.Context(), h, args[0], n)
			if err != nil {
				return err
			}
			limit := "a budget of " + agent.FormatSize(n)
			if n == 0 {
				limit = "your keep-free and percent limits on its drive (or half of it)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Added %s with %s; the agent puts new shards there when it needs room.\n", l, limit)
			return nil
		},
	}
	add.Flags().StringVar(&budget, "budget", "", "use at most SIZE in this folder (e.g. 50GB)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List storage folders: connected or not, and their verification",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := homeStatus(cmd.Context(), g)
			if err != nil {
				return err
			}
			return printLocations(cmd.OutOrStdout(), st.Locations)
		},
	}
	remove := &cobra.Command{
		Use:   "remove DIR",
		Short: "Forget a storage folder that holds no shard",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			if err := removeStorage(cmd.Context(), h, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Removed %s from your storage folders.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(add, list, remove)
	return cmd
}

// addStorage adds a storage folder through the running agent, or in the
// config when none runs (it picks that up when it starts). It returns the
// folder's full path.
func addStorage(ctx context.Context, h home.Home, dir string, budget int64) (string, error) {
	abs, err := filepath.Abs(dir) // the agent's working folder is not ours
	if err != nil {
		return "", fmt.Errorf("storage folder %q is not a valid path", dir)
	}
	var path string
	err = orOffline(ctx, h, 0, func(ctx context.Context, c *control.Client) error {
		l, err := c.AddStorage(ctx, abs, budget)
		path = l.Path
		return err
	}, func() error {
		l, err := agent.AddStorage(h, abs, budget, time.Now())
		path = l.Path
		return err
	})
	return path, err
}

// removeStorage is addStorage's opposite; dir may also be a location ID.
func removeStorage(ctx context.Context, h home.Home, dir string) error {
	if !strings.HasPrefix(dir, "loc-") {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	return orOffline(ctx, h, 0, func(ctx context.Context, c *control.Client) error {
		return c.RemoveStorage(ctx, dir)
	}, func() error { return agent.RemoveStorage(h, dir) })
}

// printLocations is the table of `storage list`.
func printLocations(w io.Writer, locs []control.Location) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tCONNECTED\tBUDGET\tLAST VERIFIED\tNEXT")
	for _, l := range locs {
		on := "yes"
		if !l.Online {
			on = "no"
			if l.OfflineSince != nil {
				on = "no, since " + l.OfflineSince.Local().Format(time.DateTime)
			}
		}
		last, next := "never", "-"
		if l.LastVerified != nil {
			last = l.LastVerified.Local().Format(time.DateTime)
		}
		if l.NextVerification != nil {
			next = l.NextVerification.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Path, on, agent.FormatSize(l.BudgetBytes), last, next)
	}
	return tw.Flush()
}
