package cli

import (
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"io"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// listed is how many duplicates and rejected rows the readable report
// shows; --json has them all.
const listed = 20

// printReport writes the readable summary of a build.
func printReport(w io.Writer, out string, rep *shard.Report) {
	fmt.Fprintf(w, "Built %s in %s: %s files (%s paths), %s, %s md5-only keys.\n",
		words.Count(int64(len(rep.Shards)), "shard", "shards"), out, comma(rep.Files), comma(rep.Paths), humanize.Bytes(uint64(rep.Bytes)), comma(rep.MD5OnlyKeys))
	for _, s := range rep.Shards {
		fmt.Fprintf(w, "  %s  %-9s  %s files, %s, collection %s", s.Name, s.Status, comma(s.Files), humanize.Bytes(uint64(s.Bytes)), s.Collection)
		if s.Status == shard.StatusUpdated {
			fmt.Fprintf(w, "  (%s added, %s removed, %s changed, %s URLs changed)", comma(s.Added), comma(s.Removed), comma(s.Changed), comma(s.URLsChanged))
		}
		fmt.Fprintln(w)
	}
	if rep.MD5OnlyKeys > 0 {
		fmt.Fprintf(w, "MD5-only keys: %s (a bad actor can forge a file with the same MD5): add sha256 to the manifest where you can.\n", comma(rep.MD5OnlyKeys))
	}
	if len(rep.Duplicates) > 0 {
		var saved int64
		for _, d := range rep.Duplicates {
			saved += d.BytesSaved
		}
		fmt.Fprintf(w, "Duplicates: %s contents under several paths, each counted once (%s saved):\n", comma(len(rep.Duplicates)), humanize.Bytes(uint64(saved)))
		for _, d := range rep.Duplicates[:min(listed, len(rep.Duplicates))] {
			fmt.Fprintf(w, "  %s: %s (%s saved)\n", d.Key, strings.Join(d.Paths, ", "), humanize.Bytes(uint64(d.BytesSaved)))
		}
		more(w, len(rep.Duplicates))
	}
	if len(rep.Rejected) > 0 {
		fmt.Fprintf(w, "Rejected rows: %s, skipped (fix them and build again):\n", comma(len(rep.Rejected)))
		for _, r := range rep.Rejected[:min(listed, len(rep.Rejected))] {
			fmt.Fprintf(w, "  line %d: %s\n", r.Line, r.Error)
		}
		more(w, len(rep.Rejected))
	}
	for _, warning := range rep.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", warning)
	}
	fmt.Fprintf(w, "Serve them with: shardhub serve --data %s\n", out)
}

func more(w io.Writer, n int) {
	if n > listed {
		fmt.Fprintf(w, "  ... and %s more (--json lists them all)\n", comma(n-listed))
	}
}

func comma(n int) string { return humanize.Comma(int64(n)) }
