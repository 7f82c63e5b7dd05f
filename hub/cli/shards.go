package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/spf13/cobra"
)

type shardsOptions struct {
	data, db, host, wait string
}

func newShardsCmd() *cobra.Command {
	var o shardsOptions
	cmd := &cobra.Command{
		Use:   "shards",
		Short: "Where the shards are served, with several hub hosts",
		Long: `shards lists the hub hosts sharing a database and where each shard's
repository is served; 'shards place' moves one to another host.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := openDB(o.data, o.db)
			if err != nil {
				return err
			}
			defer db.Close()
			return listPlacements(cmd.OutOrStdout(), db, time.Now())
		},
	}
	f := cmd.PersistentFlags()
	f.StringVar(&o.data, "data", "", "data directory `DATA` whose hub.db to use (when no --db)")
	f.StringVar(&o.db, "db", "", "the hub hosts' shared database `URL` (a SQLite file path)")
	place := &cobra.Command{
		Use:   "place SHARD --host NAME",
		Short: "Move a shard's repository to another hub host",
		Long: `place moves SHARD's repository to the hub host NAME with git, while both
hosts run: the host serving it stops taking pushes (donors are told to push
again in a minute), NAME fetches a mirror of every ref from it, and the
switch is recorded in the database; from then on the old host redirects
fetches to NAME and donors' agents follow. Nothing pushed is lost: a push
either landed before the mirror or is refused and sent again.`,
		Example: `  shardhub shards place shard-0042 --host hub-b --db /srv/shardhub/hub.db`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.place(cmd.Context(), cmd.OutOrStdout(), args[0])
		},
	}
	place.Flags().StringVar(&o.host, "host", "", "the hub host `NAME` to move the shard to")
	place.Flags().StringVar(&o.wait, "wait", "10m", "give up when the move has not finished after `DURATION`")
	place.MarkFlagRequired("host")
	cmd.AddCommand(place)
	return cmd
}

func listPlacements(w io.Writer, db hubDB, now time.Time) error {
	hosts, err := db.HostList()
	if err != nil {
		return err
	}
	ps, err := db.Placements()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tURL\tHEARTBEAT")
	for _, h := range hosts {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", h.Name, h.PublicURL, since(now, h.HeartbeatAt))
	}
	fmt.Fprintln(tw, "\nSHARD\tHOST\tSTATE")
	for _, p := range ps {
		state := "served"
		if p.State != store.PlacementServed {
			state = p.State + " to " + p.MovingTo
		} else if p.Error != "" {
			state = "served (last move failed: " + p.Error + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Shard, p.Host, state)
	}
	return tw.Flush()
}

// place asks for the move and waits for the hosts to carry it out.
func (o shardsOptions) place(ctx context.Context, out io.Writer, name string) error {
	wait, err := parseDuration("--wait", o.wait)
	if err != nil {
		return err
	}
	db, err := openDB(o.data, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkTarget(db, o.host); err != nil {
		return err
	}
	from, err := db.Placement(name)
	if errors.Is(err, store.ErrNoPlacement) {
		return fmt.Errorf("%s is served by no hub host: check the name with 'shardhub shards'", name)
	}
	if err != nil {
		return err
	}
	if err := db.RequestMove(name, o.host, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(out, "moving %s from %s to %s...\n", name, from.Host, o.host)
	return awaitMove(ctx, out, db, name, from.Host, o.host, wait)
}

// checkTarget refuses a host that never ran.
func checkTarget(db hubDB, name string) error {
	hosts, err := db.HostList()
	if err != nil {
		return err
	}
	var names []string
	for _, h := range hosts {
		if h.Name == name {
			return nil
		}
		names = append(names, h.Name)
	}
	return fmt.Errorf("no hub host is called %s (hosts: %v): start it with 'shardhub serve --host-name %s' first", name, names, name)
}

// awaitMove polls the placement until the move ends.
func awaitMove(ctx context.Context, out io.Writer, db hubDB, name, from, to string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		p, err := db.Placement(name)
		if err != nil {
			return err
		}
		switch {
		case p.State == store.PlacementServed && p.Host == to:
			fmt.Fprintf(out, "%s is served by %s now\n", name, to)
			return nil
		case p.State == store.PlacementServed:
			return fmt.Errorf("moving %s to %s failed: %s; it stays on %s", name, to, p.Error, p.Host)
		case time.Now().After(deadline):
			why := fmt.Sprintf("%s did not stop taking pushes (is it running?)", from)
			if p.State == store.PlacementFrozen {
				why = fmt.Sprintf("%s did not fetch it (is it running?)", to)
			}
			db.FailMove(name, "gave up: "+why, time.Now())
			return fmt.Errorf("moving %s to %s did not finish within %s: %s; it stays on %s, try again", name, to, wait, why, from)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
