// Command branchsim plays a shard's life over months on the hub, with
// and without compaction, and prints the month-by-month table and the
// goals of docs/benchmarks.md ("Branch growth and compaction").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/compact/sim"
)

func main() {
	keys := flag.Int("keys", 100000, "files in the shard")
	donors := flag.Int("donors", 6, "donors")
	months := flag.Int("months", 24, "months to play")
	cloneEvery := flag.Int("clone-every", 1, "measure a fresh clone every N months")
	auditPushes := flag.Bool("audit", false, "check every donor's pushes with the hub's push audit")
	dir := flag.String("dir", "", "work directory (default: a new temporary one, removed after)")
	flag.Parse()
	if err := run(*keys, *donors, *months, *cloneEvery, *auditPushes, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "branchsim:", err)
		os.Exit(1)
	}
}

func run(keys, donors, months, cloneEvery int, auditPushes bool, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "branchsim-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	t0 := time.Now()
	// The two worlds play at once, from the same seed.
	var runs [2][]sim.Month
	var errs [2]error
	var wg sync.WaitGroup
	for i, compacting := range []bool{false, true} {
		cfg := sim.Config{Keys: keys, Donors: donors, Months: months, Compact: compacting, CloneEvery: cloneEvery,
			Audit: auditPushes, Dir: fmt.Sprintf("%s/%d", dir, i), Seed: 16,
			Log: func(format string, args ...any) {
				logf("compaction %v: "+format, append([]any{compacting}, args...)...)
			}}
		if !compacting && cloneEvery == 1 {
			cfg.CloneEvery = max(months/4, 1) // the uncompacted clone is the slow one
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = sim.Run(context.Background(), cfg)
			os.RemoveAll(cfg.Dir)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return err
	}
	fmt.Printf("%d keys, %d donors, %d months; machine: %d cores; took %s\n\n", keys, donors, months, runtime.NumCPU(), time.Since(t0).Round(time.Second))
	sim.Table(os.Stdout, runs[0], runs[1])
	fmt.Println()
	sim.WriteGoals(os.Stdout, sim.Goals(runs[1], keys))
	return nil
}
