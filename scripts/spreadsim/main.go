// Command spreadsim simulates donors filling one shard with the agent's
// real planner (plan.MakePlanFrom), in simulated time: donors with mixed
// budgets and bandwidths join over time, each plans a batch from what the
// hub knows, downloads it, and reports it at the batch's end, as the
// agent does. It prints the bytes downloaded against the ideal (no copy
// beyond the target) and the files over-replicated, for the agent's order
// and for a plain shuffle of the same wanted files (IA.BAK's way).
// scripts/bench-spread.sh runs it.
//
//	spreadsim [-keys 100000] [-donors 30] [-target 3] [-capacity 1.3]
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

func main() {
	cfg := Config{}
	flag.IntVar(&cfg.Keys, "keys", 100000, "files in the shard")
	flag.IntVar(&cfg.Donors, "donors", 30, "donors")
	flag.IntVar(&cfg.Target, "target", 3, "donor copies wanted per file")
	flag.Float64Var(&cfg.Capacity, "capacity", 1.3, "the donors' budgets together, as a multiple of target copies of everything")
	flag.DurationVar(&cfg.JoinSpan, "join-span", 12*time.Hour, "donors join evenly over this time (simulated)")
	flag.IntVar(&cfg.BatchFiles, "batch-files", 25, "files per batch (the agent's BatchFiles)")
	flag.Int64Var(&cfg.BatchBytes, "batch-bytes", 64<<20, "small files: batches go on to this many bytes (the agent's BatchBytes)")
	flag.DurationVar(&cfg.BatchTime, "batch-time", 10*time.Minute, "longest batch (the agent's BatchTime)")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "spreadsim:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	fmt.Printf("spreadsim: %d files, %d donors joining over %s, target %d copies, budgets %.2fx what that takes, batches of %d files\n",
		cfg.Keys, cfg.Donors, cfg.JoinSpan, cfg.Target, cfg.Capacity, cfg.BatchFiles)
	// The two orders run at once, on the same shard and donors.
	var results [2]Result
	var errs [2]error
	var wg sync.WaitGroup
	for i, shuffle := range []bool{false, true} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cfg
			c.Shuffle = shuffle
			results[i], errs[i] = Run(c)
		}()
	}
	wg.Wait()
	for i, name := range []string{"Shardkeeper (rarest first, per-donor order)", "plain shuffle (IA.BAK)"} {
		if errs[i] != nil {
			fmt.Fprintln(os.Stderr, "spreadsim:", errs[i])
			os.Exit(1)
		}
		print(name, results[i])
	}
}

func print(name string, r Result) {
	gb := func(n int64) float64 { return float64(n) / 1e9 }
	fmt.Printf("  %s:\n", name)
	fmt.Printf("    downloaded %.1f GB, ideal %.1f GB (%.3f x), wasted %.1f GB = %.2f%% of ideal\n",
		gb(r.Downloaded), gb(r.Ideal), float64(r.Downloaded)/float64(max(r.Ideal, 1)), gb(r.Wasted), r.WastedPct())
	fmt.Printf("    files at %s: %d of %d; over-replicated: %d (%.2f%%)\n",
		"target", r.FilesAtTarget, r.Files, r.OverReplicated, 100*float64(r.OverReplicated)/float64(r.Files))
	fmt.Printf("    every file had 1 copy after %s, %d copies after %s (simulated)\n",
		r.OneCopyAt.Round(time.Minute), r.Target, r.TargetAt.Round(time.Minute))
	fmt.Printf("    simulated fill time %s, %d batches; planner: %d plans, mean %s, longest %s\n",
		r.FillTime.Round(time.Minute), r.Batches, r.Plans, r.MeanPlanTime.Round(time.Microsecond), r.LongestPlanTime.Round(time.Microsecond))
}
