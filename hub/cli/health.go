package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/spf13/cobra"
)

type healthOptions struct {
	data, db, expiry string
	asJSON, atRisk   bool
	target           int
}

func newHealthCmd() *cobra.Command {
	var o healthOptions
	cmd := &cobra.Command{
		Use:   "health --data DATA [--db URL] [--json | --at-risk-csv] [--target-copies N] [--expiry 120d]",
		Short: "Show how many donor copies each shard's files have",
		Long: `health reads every shard's git-annex branch and the branches donors pushed,
and counts, per shard, the files that have 0, 1, 2, ... donor copies (the
archive's own copy is not counted), how many have a copy verified in the
last 30 days, and which donors are active or expired (silent for longer
than --expiry; their copies do not count until they push again).

--json prints what GET /api/v1/health answers; --at-risk-csv prints every
file with fewer than --target-copies copies (shard, path, key, size,
copies), fewest first, as GET /health/at-risk.csv does.`,
		Example: `  shardhub health --data /srv/shardhub
  shardhub health --data /srv/shardhub --json
  shardhub health --data /srv/shardhub --at-risk-csv > at-risk.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "data directory `DATA` written by shardhub build")
	f.BoolVar(&o.asJSON, "json", false, "print JSON instead of a table")
	f.BoolVar(&o.atRisk, "at-risk-csv", false, "print the files below the target as CSV")
	f.IntVar(&o.target, "target-copies", health.DefaultTargetCopies, "donor copies wanted per file")
	f.StringVar(&o.expiry, "expiry", "120d", "donors silent for longer than `DAYS` stop counting")
	addDBFlag(f, &o.db)
	cmd.MarkFlagRequired("data")
	return cmd
}

func (o healthOptions) run(cmd *cobra.Command) error {
	if err := requireShards(o.data); err != nil {
		return err
	}
	if o.asJSON && o.atRisk {
		return errors.New("give --json or --at-risk-csv, not both")
	}
	if o.target < 1 {
		return errors.New("--target-copies must be at least 1")
	}
	expiry, err := parseDays(o.expiry)
	if err != nil {
		return err
	}
	donors, err := registry(o.data, o.db)
	if err != nil {
		return err
	}
	// Read cold, into a private in-memory state: the serving hub's
	// database is its own.
	t := health.NewTracker(o.data, health.Options{TargetCopies: o.target, Expiry: expiry})
	defer t.Close()
	if err := t.Refresh(cmd.Context()); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if o.atRisk {
		return t.StreamAtRiskCSV(cmd.Context(), out, donors)
	}
	report, err := t.Health(donors)
	if err != nil {
		return err
	}
	if o.asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	if err := printHealth(out, report); err != nil {
		return err
	}
	return printCollections(out, report)
}

// registry reads the donors of a served data directory (or of the
// database --db names); nil (every UUID counts) when it was never served.
func registry(data, dbURL string) ([]store.Donor, error) {
	if _, err := os.Stat(filepath.Join(data, store.DBFile)); dbURL == "" && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	db, err := openStore(data, dbURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.Donors()
}

// printHealth writes a table with one column per number of copies seen.
func printHealth(w io.Writer, r health.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"SHARD", "FILES", "SIZE", "DONORS"}
	for n := range r.Total.Copies {
		header = append(header, copiesLabel(n))
	}
	header = append(header, "VERIFIED 30D")
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	row := func(name string, c health.Counts) {
		cells := []string{name, humanize.Comma(int64(c.Files)), humanize.Bytes(uint64(c.Bytes)), humanize.Comma(int64(c.Donors))}
		for n := range r.Total.Copies {
			keys := 0
			if n < len(c.Copies) {
				keys = c.Copies[n]
			}
			cells = append(cells, humanize.Comma(int64(keys)))
		}
		cells = append(cells, humanize.Comma(int64(c.Verified30d)))
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	for _, s := range r.Shards {
		row(s.Name, s.Counts)
	}
	row("total", r.Total.Counts)
	fmt.Fprintf(tw, "\nDonors: %d active, %d expired (silent more than %d days), %d failing proofs of storage.\n",
		r.Total.DonorsActive, r.Total.DonorsExpired, r.ExpiryDays, r.Total.DonorsFailingProofs)
	return tw.Flush()
}

func copiesLabel(n int) string {
	if n == 1 {
		return "1 COPY"
	}
	return fmt.Sprintf("%d COPIES", n)
}
