package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/restore"
	"github.com/spf13/cobra"
)

// ExitMissing is restore's exit status when some files are not restored.
const ExitMissing = 3

type restoreOptions struct {
	data, db, shard, to, wait string
	all                       bool
}

// errMissing makes Run exit with ExitMissing after the report.
type errMissing struct{ missing, unrecoverable int }

func (e errMissing) Error() string {
	if e.missing == 0 {
		return fmt.Sprintf("%d files were not restored: no donor holds them", e.unrecoverable)
	}
	return fmt.Sprintf("%d files were not restored; run the same command again later to continue", e.missing+e.unrecoverable)
}

func newRestoreCmd() *cobra.Command {
	var o restoreOptions
	cmd := &cobra.Command{
		Use:   "restore --data DATA [--db URL] --shard NAME --to DIR [--all] [--wait 10m]",
		Short: "Get a shard's lost files back from its donors into a directory",
		Long: `restore asks the shard's donors for every file the archive lost (its own
copy marked lost on the shard's git-annex branch; with --all, every file),
and writes each into DIR at its path in the shard as soon as a donor's
upload is verified, showing files, bytes, rate and ETA as they come.

Donors upload to the running shardhub serve on the same DATA: keep it
running. Files already complete in DIR and files the hub's restore area
holds are not fetched again, so a restore can be stopped (Ctrl-C) and run
again to continue. It gives up when no file came back for --wait, and ends
with a report: restored, still missing (with the donors that last said they
hold them), unrecoverable (no donor copy). Exit status 0 when everything
is in DIR, 3 when some files are missing.`,
		Example: `  shardhub restore --data /srv/shardhub --shard shard-0001 --to /srv/recovered
  shardhub restore --data /srv/shardhub --shard shard-0001 --to /srv/copy --all --wait 1h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "data directory `DATA` served by shardhub serve")
	f.StringVar(&o.shard, "shard", "", "the shard to restore (`NAME`)")
	f.StringVar(&o.to, "to", "", "write the files into `DIR` at their paths in the shard")
	f.BoolVar(&o.all, "all", false, "restore every file, not only those the archive lost")
	f.StringVar(&o.wait, "wait", "10m", "give up when no file came back for this long (`DURATION`)")
	addDBFlag(f, &o.db)
	cmd.MarkFlagRequired("data")
	cmd.MarkFlagRequired("shard")
	cmd.MarkFlagRequired("to")
	return cmd
}

func (o restoreOptions) run(cmd *cobra.Command) error {
	db, wait, err := openData(o.data, o.db, "--wait", o.wait)
	if err != nil {
		return err
	}
	defer db.Close()
	h := restore.Hub{DataDir: o.data, DB: db}
	stderr := cmd.ErrOrStderr()
	p := &progressLine{w: stderr, header: fmt.Sprintf("Asking the donors of %s through the serving hub (keep 'shardhub serve --data %s' running); giving up after %s without progress.\n",
		o.shard, o.data, wait)}
	res, err := h.Restore(cmd.Context(), restore.RestoreOptions{Shard: o.shard, To: o.to, All: o.all, Wait: wait, Progress: p.show})
	p.end()
	if err != nil {
		return err
	}
	printRestore(cmd.OutOrStdout(), o, res)
	if !res.Complete() {
		return errMissing{len(res.Missing), len(res.Unrecoverable)}
	}
	return nil
}

// progressLine rewrites one status line at most every half second.
type progressLine struct {
	w      io.Writer
	header string // said once, when donors are to be waited for
	last   time.Time
	shown  bool
}

func (p *progressLine) show(pr restore.Progress) {
	if pr.Waiting > 0 && p.header != "" {
		fmt.Fprint(p.w, p.header)
		p.header = ""
	}
	if time.Since(p.last) < 500*time.Millisecond && pr.Waiting > 0 {
		return
	}
	p.last = time.Now()
	eta := "ETA unknown"
	if pr.ETA > 0 {
		eta = "ETA " + pr.ETA.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%d/%d files, %s of %s, %s/s, %s, waiting for %d   ", pr.FilesDone, pr.Files,
		humanize.Bytes(uint64(pr.BytesDone)), humanize.Bytes(uint64(pr.Bytes)), humanize.Bytes(uint64(pr.Rate)), eta, pr.Waiting)
	p.shown = true
}

func (p *progressLine) end() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

// printRestore writes the report.
func printRestore(w io.Writer, o restoreOptions, r restore.RestoreResult) {
	total := len(r.Restored) + len(r.AlreadyThere) + len(r.Missing) + len(r.Unrecoverable)
	if total == 0 {
		fmt.Fprintf(w, "the archive has lost no file of %s: nothing to restore (--all restores every file)\n", o.shard)
		return
	}
	fmt.Fprintf(w, "restored: %d files into %s", len(r.Restored)+len(r.AlreadyThere), o.to)
	if len(r.AlreadyThere) > 0 {
		fmt.Fprintf(w, " (%d were there from an earlier run)", len(r.AlreadyThere))
	}
	fmt.Fprintln(w)
	if len(r.Missing) > 0 {
		fmt.Fprintf(w, "still missing: %d files (donors were asked; run again later to continue)\n", len(r.Missing))
		for _, m := range r.Missing {
			donors := "no donor said it holds it lately"
			if len(m.Donors) > 0 {
				donors = "held by " + strings.Join(m.Donors, ", ")
			}
			fmt.Fprintf(w, "  %s  (%s)\n", m.Path, donors)
		}
	}
	if len(r.Unrecoverable) > 0 {
		fmt.Fprintf(w, "unrecoverable: %d files (no donor copy)\n", len(r.Unrecoverable))
		for _, f := range r.Unrecoverable {
			fmt.Fprintf(w, "  %s\n", f.Path)
		}
	}
}
