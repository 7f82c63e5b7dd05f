package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/health"
)

// printCollections writes the collections by need, copies per region and
// the files no registered donor could hold.
func printCollections(w io.Writer, r health.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nCOLLECTION\tSHARDS\tFILES\tSIZE\tBELOW TARGET\tBYTES LACKING\tTOO LARGE")
	for _, c := range r.Collections {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d\n", c.Name, c.Shards, humanize.Comma(int64(c.Files)),
			humanize.Bytes(uint64(c.Bytes)), humanize.Comma(int64(c.FilesBelowTarget)),
			humanize.Bytes(uint64(c.BytesLackingCopies)), c.FilesTooLarge)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var regions []string
	for region, n := range r.Total.CopiesByRegion {
		regions = append(regions, fmt.Sprintf("%s %s", region, humanize.Comma(int64(n))))
	}
	slices.Sort(regions)
	if len(regions) > 0 {
		fmt.Fprintf(w, "\nCopies per region: %s.\n", strings.Join(regions, ", "))
	}
	if len(r.FilesTooLarge) > 0 {
		fmt.Fprintf(w, "\nFiles no registered donor could hold (%d):\n", len(r.FilesTooLarge))
		for _, f := range r.FilesTooLarge {
			fmt.Fprintf(w, "  %s  %s  %s\n", f.Shard, f.Path, humanize.Bytes(uint64(f.Size)))
		}
	}
	return nil
}
