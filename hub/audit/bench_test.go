package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/audit"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

var benchT0 = time.Unix(1800000000, 0).UTC()

// commitLogs writes a commit of files (path -> content) on top of from
// into ref with fast-import, as a donor's push would bring it, and returns
// the commit.
func commitLogs(tb testing.TB, g annex.Git, ref, from string, files map[string]string) string {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "commit %s\ncommitter x <x@x> 1800000000 +0000\ndata 0\nfrom %s^0\n", ref, from)
	for p, content := range files {
		fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", p, len(content), content)
	}
	b.WriteString("done\n")
	ctx := context.Background()
	if _, err := g.Output(ctx, strings.NewReader(b.String()), "fast-import", "--quiet", "--done"); err != nil {
		tb.Fatal(err)
	}
	return g.Tip(ctx, ref)
}

// BenchmarkAuditPush1000: the push audit of a donor's first push that
// changes 1,000 location logs of a 100k-file shard where three other
// donors have pushed 1,000 logs each (every changed file is read from the
// hub's branch and each donor's ref too). With -short (make bench-smoke):
// 100 logs of a 2,000-file shard.
func BenchmarkAuditPush1000(b *testing.B) {
	files, changed := 100_000, 1_000
	if testing.Short() {
		files, changed = 2_000, 100
	}
	entries := make([]manifest.Entry, files)
	for i := range entries {
		entries[i] = manifest.Entry{Path: fmt.Sprintf("repository/%d/%d.cbz", i/1000*1000, i), Size: int64(1000 + i),
			SHA256: fmt.Sprintf("%064x", i+1), URL: fmt.Sprintf("https://archive.example/%d", i)}
	}
	data := b.TempDir()
	ctx := context.Background()
	if _, err := shard.Build(ctx, entries, shard.Options{DataDir: data, Now: func() time.Time { return benchT0 }}); err != nil {
		b.Fatal(err)
	}
	g := annex.Git{Dir: shard.RepoDir(data, "shard-0001")}
	logs := func(uuid string, from int) map[string]string {
		out := map[string]string{}
		for i := from; i < from+changed; i++ {
			k := shard.KeyOf(entries[i])
			out[annex.LocationLogPath(k)] = annex.TimestampOf(benchT0).String() + " 1 " + annex.WebUUID + "\n" +
				annex.TimestampOf(benchT0.Add(time.Minute)).String() + " 1 " + uuid + "\n"
		}
		return out
	}
	for d := range 3 {
		uuid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", d)
		commitLogs(b, g, annex.DonorRef(uuid), annex.BranchRef, logs(uuid, d*changed))
	}
	me := "99999999-0000-4000-8000-000000000000"
	// Not under the donor's ref: the audit runs before the ref moves.
	pushed := commitLogs(b, g, "refs/pushed/bench", annex.BranchRef, logs(me, files/2))
	push := audit.Push{Git: g, Donor: me, Now: benchT0.Add(time.Hour),
		Updates: []audit.Update{{Old: strings.Repeat("0", 40), New: pushed, Ref: annex.DonorRef(me)}}}
	b.ResetTimer()
	for b.Loop() {
		problems, err := audit.Check(ctx, push)
		if err != nil || len(problems) > 0 {
			b.Fatalf("audit: %v %v", problems, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/push")
}
