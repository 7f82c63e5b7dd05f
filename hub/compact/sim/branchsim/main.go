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
	"runtime/pprof"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/compact/sim"
)

func main() {
	keys := flag.Int("keys", 100000, "files in the shard")
	donors := flag.Int("donors", 6, "donors")
	months := flag.Int("months", 24, "months to play")
	cloneEvery := flag.Int("clone-every", 1, "measure a fresh clone every N months")
	auditPushes := flag.Bool("audit", false, "check every donor's pushes with the hub's push audit")
	dir := flag.String("dir", "", "work directory, kept after the run (default: a new temporary one, removed after)")
	gitBin := flag.String("git", "", "the git binary (default: git on PATH)")
	cpuProfile := flag.String("cpuprofile", "", "write a pprof CPU profile of the run to this file")
	compactedOnly := flag.Bool("compacted-only", false, "play only the compacted world (half the cost; the table's uncompacted columns stay empty)")
	flag.Parse()
	if *cpuProfile != "" {
		stop, err := profileCPU(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "branchsim:", err)
			os.Exit(1)
		}
		defer stop()
	}
	base := sim.Config{Keys: *keys, Donors: *donors, Months: *months, CloneEvery: *cloneEvery, Audit: *auditPushes,
		Git: annex.Git{Bin: *gitBin}, Seed: 16}
	if err := run(base, *dir, *compactedOnly); err != nil {
		fmt.Fprintln(os.Stderr, "branchsim:", err)
		os.Exit(1)
	}
}

// profileCPU starts a CPU profile into file; stop ends and writes it.
func profileCPU(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func run(base sim.Config, dir string, compactedOnly bool) error {
	keys, months := base.Keys, base.Months
	temp := dir == ""
	if temp {
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
		if compactedOnly && !compacting {
			continue
		}
		cfg := base
		cfg.Compact, cfg.Dir = compacting, fmt.Sprintf("%s/%d", dir, i)
		cfg.Log = func(format string, args ...any) {
			logf("compaction %v: "+format, append([]any{compacting}, args...)...)
		}
		if !compacting && base.CloneEvery == 1 {
			cfg.CloneEvery = max(months/4, 1) // the uncompacted clone is the slow one
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = sim.Run(context.Background(), cfg)
			if temp {
				os.RemoveAll(cfg.Dir)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return err
	}
	fmt.Printf("%d keys, %d donors, %d months; machine: %d cores; took %s\n\n", keys, base.Donors, months, runtime.NumCPU(), time.Since(t0).Round(time.Second))
	sim.Table(os.Stdout, runs[0], runs[1])
	fmt.Println()
	sim.WriteGoals(os.Stdout, sim.Goals(runs[1], keys))
	return nil
}
