package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/restore"
	"github.com/spf13/cobra"
)

type firedrillOptions struct {
	data, db, shard   string
	count             int
	keys, paths       []string
	status, asJSON    bool
	end               bool
	stdout, stderr    io.Writer
	now               func() time.Time
	selectionFromArgs []string
}

func newFiredrillCmd() *cobra.Command {
	var o firedrillOptions
	cmd := &cobra.Command{
		Use:   "firedrill --data DATA [--db URL] --shard NAME (--count N | --key KEY... | --path PATH...) | --status [--json] | --end [ID]",
		Short: "Pretend the archive lost files: donors send them back, the hub checks them",
		Long: `firedrill starts a fire drill: it chooses files of a shard that donors hold
(--count: N at random among the files with at least one donor copy; or the
given keys or paths), marks the archive's own copy of each lost on the
shard's git-annex branch, opens a restore request for each and prints the
drill's id. A running shardhub serve on the same DATA asks the donors that
hold the files on their next poll (within a minute); they upload them, the
hub verifies every upload (SHA-256; MD5 and a second donor's agreeing bytes
for MD5-only keys) and serves verified files to git-annex again.

--status shows every drill and every file: requested, uploaded, verified,
rejected (which donor, why), re-injected. --end marks the archive's copies
present again and closes the drill (the one running, or ID); its report
stays. See docs/restore.md.`,
		Example: `  shardhub firedrill --data /srv/shardhub --shard shard-0001 --count 20
  shardhub firedrill --data /srv/shardhub --status --json
  shardhub firedrill --data /srv/shardhub --end`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.stdout, o.stderr, o.now = cmd.OutOrStdout(), cmd.ErrOrStderr(), time.Now
			o.selectionFromArgs = args
			return o.run(cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "data directory `DATA` served by shardhub serve")
	f.StringVar(&o.shard, "shard", "", "the shard to drill (`NAME`)")
	f.IntVar(&o.count, "count", 0, "drill `N` files at random among those donors hold")
	f.StringArrayVar(&o.keys, "key", nil, "drill this git-annex `KEY` (repeat, or list more after it)")
	f.StringArrayVar(&o.paths, "path", nil, "drill this `PATH` of the shard (repeat, or list more after it)")
	f.BoolVar(&o.status, "status", false, "show every drill and its files")
	f.BoolVar(&o.asJSON, "json", false, "with --status: print JSON")
	f.BoolVar(&o.end, "end", false, "end the running drill (or the drill ID given after it)")
	addDBFlag(f, &o.db)
	cmd.MarkFlagRequired("data")
	return cmd
}

func (o firedrillOptions) run(cmd *cobra.Command) error {
	if err := requireShards(o.data); err != nil {
		return err
	}
	modes := 0
	for _, on := range []bool{o.status, o.end, o.shard != ""} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return errors.New("give --shard NAME with --count, --key or --path to start a drill, or --status, or --end")
	}
	db, err := openStore(o.data, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	h := restore.Hub{DataDir: o.data, DB: db, Now: o.now}
	switch {
	case o.status:
		rep, err := restore.Status(db, h.WhereHolders(cmd.Context()))
		if err != nil {
			return err
		}
		if o.asJSON {
			enc := json.NewEncoder(o.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		printDrills(o.stdout, rep)
		return nil
	case o.end:
		return o.endDrill(cmd, h)
	}
	return o.startDrill(cmd, h)
}

func (o firedrillOptions) endDrill(cmd *cobra.Command, h restore.Hub) error {
	if len(o.selectionFromArgs) > 1 {
		return errors.New("--end takes one drill ID at most")
	}
	id := ""
	if len(o.selectionFromArgs) == 1 {
		id = o.selectionFromArgs[0]
	}
	d, err := h.EndDrill(cmd.Context(), id)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "%s ended: the archive's copies in %s are marked present again; its report stays (firedrill --status)\n", d.ID, d.Shard)
	return nil
}

func (o firedrillOptions) startDrill(cmd *cobra.Command, h restore.Hub) error {
	sel := restore.Selection{Count: o.count, Keys: o.keys, Paths: o.paths}
	switch {
	case len(o.selectionFromArgs) > 0 && len(o.keys) > 0 && len(o.paths) == 0:
		sel.Keys = append(sel.Keys, o.selectionFromArgs...)
	case len(o.selectionFromArgs) > 0 && len(o.paths) > 0 && len(o.keys) == 0:
		sel.Paths = append(sel.Paths, o.selectionFromArgs...)
	case len(o.selectionFromArgs) > 0:
		return fmt.Errorf("unexpected arguments %q: list keys after --key or paths after --path", o.selectionFromArgs)
	}
	if o.count < 0 || (o.count == 0 && len(sel.Keys) == 0 && len(sel.Paths) == 0) {
		return errors.New("say which files to drill: --count N, --key KEY... or --path PATH...")
	}
	st, err := h.StartDrill(cmd.Context(), o.shard, sel)
	if err != nil {
		return err
	}
	fmt.Fprintln(o.stdout, st.Drill.ID)
	for _, f := range st.Skipped {
		fmt.Fprintf(o.stderr, "skipped %s: a running drill has it already\n", f.Path)
	}
	fmt.Fprintf(o.stderr, "%d files of %s: the archive's copies are marked lost and donors are asked for them by the serving hub.\n",
		len(st.Files), o.shard)
	if st.Unheld > 0 {
		fmt.Fprintf(o.stderr, "%d of them no donor holds: they are unrecoverable in this drill.\n", st.Unheld)
	}
	fmt.Fprintf(o.stderr, "Follow it with 'shardhub firedrill --data %s --status'; end it with 'shardhub firedrill --data %s --end %s'.\n",
		o.data, o.data, st.Drill.ID)
	return nil
}

// printDrills writes the drills' reports for people.
func printDrills(w io.Writer, rep restore.Report) {
	if len(rep.Drills) == 0 {
		fmt.Fprintln(w, "no fire drills yet (start one with firedrill --shard NAME --count N)")
		return
	}
	for _, d := range rep.Drills {
		state := "running"
		if d.Ended != nil {
			state = "ended " + d.Ended.Local().Format(time.DateTime)
		}
		fmt.Fprintf(w, "%s  %s  started %s, %s: %d requested, %d uploaded, %d verified, %d rejected, %d re-injected\n",
			d.ID, d.Shard, d.Started.Local().Format(time.DateTime), state, d.Requested, d.Uploaded, d.Verified, d.Rejected, d.Reinjected)
		for _, f := range d.Files {
			line := fmt.Sprintf("  %-13s %s", f.State, f.Path)
			if f.Donor != "" {
				line += "  (" + f.Donor + ")"
			}
			if f.Verification == "md5_single_source" {
				line += "  verified, single MD5 source"
			}
			fmt.Fprintln(w, line)
			for _, r := range f.Rejections {
				fmt.Fprintf(w, "      rejected from %s: %s\n", r.Donor, strings.TrimSpace(r.Reason))
			}
		}
	}
}
