package main

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
)

// Config is one simulated fill: a shard of Keys files, Donors donors with
// mixed budgets and bandwidths that join over JoinSpan, Target copies.
type Config struct {
	Keys, Donors, Target int
	// Capacity is the donors' budgets together, as a multiple of what
	// Target copies of everything take (above 1: room to spare, so the
	// last files are raced for).
	Capacity float64
	// JoinSpan: donor i joins at i/Donors of it (donor 0 at once).
	JoinSpan time.Duration
	// BatchFiles and BatchTime bound a batch as the agent's options do:
	// a donor reports to the hub and re-plans after each batch.
	BatchFiles int
	BatchBytes int64
	BatchTime  time.Duration
	Shuffle    bool // a plain shuffle instead of the agent's order
	Seed       uint64
	// FullPlans plans from every file below the target at each batch
	// (the reference for the fewest-copies-first shortcut; slower).
	FullPlans bool
}

// Result is what a fill cost against the ideal.
type Result struct {
	Files, Donors, Target         int
	TotalBytes                    int64 // one copy of every file
	Downloaded, Ideal, Wasted     int64 // ideal: the copies that count, none beyond the target
	FilesAtTarget, OverReplicated int
	Plans, Batches                int
	FillTime                      time.Duration // simulated: until the last download
	// OneCopyAt and TargetAt: simulated time when every file that ends
	// with one copy (with Target copies) had it reported.
	OneCopyAt, TargetAt            time.Duration
	PlanTime                       time.Duration // real: spent in the planner
	MeanPlanTime, LongestPlanTime  time.Duration
	CapacityBytes, BudgetLeftBytes int64
	OverBudget                     int // donors holding more than their budget
}

// WastedPct is the bytes downloaded beyond the target, against the ideal.
func (r Result) WastedPct() float64 { return pct(r.Wasted, r.Ideal) }

func pct(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

type donor struct {
	uuid     string
	budget   int64
	used     int64
	bps      float64 // bytes per second
	joinAt   time.Duration
	has      []bool  // by file index: held (fetched, reported or not)
	inflight []int32 // fetched this batch, reported at its end
	done     bool
	// order is every file by this donor's rank, cursor[c] where its
	// candidates with c copies start (hub.go).
	order  []int32
	cursor []int
}

type file struct {
	key  annex.Key
	size int64
}

// world is the shard, the donors and what the hub knows, by file index.
type world struct {
	cfg    Config
	rng    *rand.Rand
	files  []file
	copies []int32           // reported donor copies (what the hub knows)
	lines  [][]annex.LogLine // the hub's location log of each file
	open   []int32           // the shuffle's draw: files maybe below the target
	pick   []int32           // a plan's candidates (hub.go)
	index  map[annex.Key]int32
	donors []*donor
	res    Result
}

// Run simulates one fill and measures it.
func Run(cfg Config) (Result, error) {
	if cfg.Keys <= 0 || cfg.Donors <= 0 || cfg.Target <= 0 || cfg.BatchFiles <= 0 {
		return Result{}, fmt.Errorf("keys, donors, target and batch files must be positive")
	}
	w := newWorld(cfg)
	q := &events{}
	for i, d := range w.donors {
		heap.Push(q, event{at: d.joinAt, donor: i})
	}
	for q.Len() > 0 {
		ev := heap.Pop(q).(event)
		d := w.donors[ev.donor]
		w.report(d, ev.at)
		end, ok := w.batch(d, ev.at)
		if !ok {
			d.done = true
			continue
		}
		w.res.FillTime = max(w.res.FillTime, end)
		heap.Push(q, event{at: end, donor: ev.donor})
	}
	w.measure()
	return w.res, nil
}

func newWorld(cfg Config) *world {
	w := &world{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 1)), copies: make([]int32, cfg.Keys), index: make(map[annex.Key]int32, cfg.Keys)}
	web := []annex.LogLine{{Status: annex.StatusPresent, Value: annex.WebUUID}}
	for i := 0; i < cfg.Keys; i++ {
		// Comic-book archives: mostly 5-60 MB, some small, a few large.
		size := int64(math.Exp(w.rng.NormFloat64()*1.0+math.Log(20e6))) + 1
		k := annex.NewKey(annex.BackendSHA256E, size, fmt.Sprintf("%064x", i), fmt.Sprintf("f%d.cbz", i))
		w.files = append(w.files, file{k, size})
		w.res.TotalBytes += size
		w.lines = append(w.lines, append([]annex.LogLine(nil), web...))
		w.open = append(w.open, int32(i))
		w.index[k] = int32(i)
	}
	// Budgets from 1 to 100 parts (a few GB to half the shard),
	// log-uniform, scaled so they add up to Capacity times the target.
	raw := make([]float64, cfg.Donors)
	sum := 0.0
	for i := range raw {
		raw[i] = math.Exp(w.rng.Float64() * math.Log(100))
		sum += raw[i]
	}
	want := cfg.Capacity * float64(cfg.Target) * float64(w.res.TotalBytes)
	for i := range raw {
		d := &donor{
			uuid:   fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1),
			budget: int64(raw[i] / sum * want),
			// Home connections, 8 Mbit/s to 400 Mbit/s.
			bps:    1e6 * math.Exp(w.rng.Float64()*math.Log(50)),
			joinAt: time.Duration(float64(cfg.JoinSpan) * float64(i) / float64(cfg.Donors)),
			has:    make([]bool, cfg.Keys),
		}
		w.res.CapacityBytes += d.budget
		w.donors = append(w.donors, d)
	}
	w.res.Files, w.res.Donors, w.res.Target = cfg.Keys, cfg.Donors, cfg.Target
	return w
}

// report is the push at the end of a batch: the hub learns of its files.
func (w *world) report(d *donor, at time.Duration) {
	for _, f := range d.inflight {
		w.copies[f]++
		switch int(w.copies[f]) {
		case 1:
			w.res.OneCopyAt = at
		case w.cfg.Target:
			w.res.TargetAt = at
		}
		if int(w.copies[f]) < w.cfg.Target { // the planner is not given the others
			w.lines[f] = append(w.lines[f], annex.LogLine{Status: annex.StatusPresent, Value: d.uuid})
		}
	}
	d.inflight = d.inflight[:0]
}

// batch plans the donor's next batch from what the hub knows now (the
// agent fetches and merges before each plan) and downloads it; it returns
// when the batch ends, or false when there is nothing to fetch.
func (w *world) batch(d *donor, at time.Duration) (time.Duration, bool) {
	batch := w.plan(d)
	if len(batch) == 0 {
		return 0, false
	}
	w.res.Batches++
	t := at
	for _, c := range batch {
		if t-at > w.cfg.BatchTime {
			break
		}
		f := w.index[c.Key]
		d.has[f] = true
		d.used += c.Size
		d.inflight = append(d.inflight, f)
		w.res.Downloaded += c.Size
		t += time.Duration(float64(c.Size) / d.bps * float64(time.Second))
	}
	return t, true
}

// plan is the next batch: the real planner's choice, or for Shuffle the
// wanted files (below the target, not held) in a random order, taken while
// they fit.
func (w *world) plan(d *donor) []plan.Candidate {
	room := d.budget - d.used
	start := time.Now()
	var batch []plan.Candidate
	if w.cfg.Shuffle {
		batch = plan.BatchOf(w.shuffled(d, room), w.cfg.BatchFiles, w.cfg.BatchBytes)
	} else {
		in := plan.PlanInput{Donor: d.uuid, Target: w.cfg.Target, Room: room, Limit: plan.BatchLimit(w.cfg.BatchFiles)}
		batch = w.planBatch(d, in, w.cfg.FullPlans)
	}
	took := time.Since(start)
	w.res.Plans++
	w.res.PlanTime += took
	w.res.LongestPlanTime = max(w.res.LongestPlanTime, took)
	return batch
}

// shuffled is IA.BAK's way: the files below the target that d does not
// hold, in a random order (a Fisher-Yates shuffle of the open files, drawn
// only as far as needed), taken while they fit, up to MaxBatchFiles.
func (w *world) shuffled(d *donor, room int64) []plan.Candidate {
	open := w.open
	var out []plan.Candidate
	var bytes int64
	for i := 0; i < len(open) && len(out) < plan.MaxBatchFiles; {
		j := i + w.rng.IntN(len(open)-i)
		open[i], open[j] = open[j], open[i]
		f := open[i]
		if int(w.copies[f]) >= w.cfg.Target { // at the target: leaves the draw
			open[i] = open[len(open)-1]
			open = open[:len(open)-1]
			continue
		}
		i++
		if size := w.files[f].size; !d.has[f] && size <= room-bytes {
			out = append(out, plan.Candidate{Key: w.files[f].key, Size: size})
			bytes += size
		}
	}
	w.open = open
	return out
}

func (w *world) measure() {
	held := make([]int, len(w.files))
	for _, d := range w.donors {
		for f, has := range d.has {
			if has {
				held[f]++
			}
		}
		w.res.BudgetLeftBytes += d.budget - d.used
		if d.used > d.budget {
			w.res.OverBudget++
		}
	}
	for i, f := range w.files {
		n := held[i]
		w.res.Ideal += int64(min(n, w.cfg.Target)) * f.size
		if n >= w.cfg.Target {
			w.res.FilesAtTarget++
		}
		if n > w.cfg.Target {
			w.res.OverReplicated++
			w.res.Wasted += int64(n-w.cfg.Target) * f.size
		}
	}
	if w.res.Plans > 0 {
		w.res.MeanPlanTime = w.res.PlanTime / time.Duration(w.res.Plans)
	}
}

type event struct {
	at    time.Duration
	donor int
}

// events is a min-heap by time, then donor (deterministic).
type events []event

func (e events) Len() int { return len(e) }
func (e events) Less(i, j int) bool {
	if e[i].at != e[j].at {
		return e[i].at < e[j].at
	}
	return e[i].donor < e[j].donor
}
func (e events) Swap(i, j int) { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)   { *e = append(*e, x.(event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}
