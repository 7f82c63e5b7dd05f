// Package sim plays a shard's life on the hub over months with a fake
// clock: donors join, fill, verify every month (re-stating each held
// key's location-log line, as the agent does), check in weekly, push, one
// leaves and one goes silent. Their branches are written the way their
// git-annex writes them (a commit per push whose tree merges the other
// donors' changes), straight into the hub's real shard repository with git
// fast-import; the hub's real code then compacts (compact.Repo), reads
// health from cold (health.Compute) and serves clones (git clone). Each
// month it measures the repository, a fresh clone and the cold health read.
package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/compact"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// Config is one simulated shard.
type Config struct {
	Keys, Donors, Months int
	// Compact: the hub compacts at the end of every month (else it only
	// keeps what fast-import and the pushes wrote, as before compaction).
	Compact bool
	// CloneEvery measures a fresh clone every N months (and in months 0,
	// 1 and the last); 1 measures every month.
	CloneEvery int
	// Audit checks every donor's month of pushes with the hub's real push
	// audit (slow on big shards; the short form turns it on).
	Audit bool
	Dir   string    // work directory (a data directory is made in it)
	Git   annex.Git // Bin, Env
	Log   func(format string, args ...any)
	Seed  uint64
}

// Month is what was measured at the end of one month (0: the new shard).
type Month struct {
	Month      int           `json:"month"`
	RepoBytes  int64         `json:"repo_bytes"`  // the hub's shard repository (git count-objects)
	CloneBytes int64         `json:"clone_bytes"` // a fresh clone; -1 when not measured
	HealthCold time.Duration `json:"health_cold_ns"`
	Pushes     int           `json:"pushes"` // donor pushes this month
	Lines      int           `json:"lines"`  // location-log lines donors wrote this month
	Covered    int           `json:"covered"`
}

// start is the simulation's first day (a fixed date: runs repeat).
var start = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

// Run plays cfg.Months months and returns a Month per month, month 0 first.
func Run(ctx context.Context, cfg Config) ([]Month, error) {
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	if cfg.CloneEvery <= 0 {
		cfg.CloneEvery = 1
	}
	w, err := newWorld(ctx, cfg)
	if err != nil {
		return nil, err
	}
	m0, err := w.measure(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := []Month{m0}
	cfg.Log("month 0: repo %d B, clone %d B, health %s", m0.RepoBytes, m0.CloneBytes, m0.HealthCold.Round(time.Millisecond))
	for m := 1; m <= cfg.Months; m++ {
		t0 := time.Now()
		pushes, lines, err := w.month(ctx, m)
		if err != nil {
			return out, fmt.Errorf("month %d: %w", m, err)
		}
		tc := time.Now()
		if cfg.Compact {
			w.now = w.monthStart(m).AddDate(0, 1, -1)
			if _, err := compact.Repo(ctx, compact.Options{Git: w.g, Now: func() time.Time { return w.now }, PruneExpire: "now"}); err != nil {
				return out, fmt.Errorf("month %d: %w", m, err)
			}
		}
		tm := time.Now()
		row, err := w.measure(ctx, m)
		if err != nil {
			return out, fmt.Errorf("month %d: %w", m, err)
		}
		row.Pushes, row.Lines = pushes, lines
		out = append(out, row)
		cfg.Log("month %d: repo %d B, clone %d B, health %s, %d pushes, %d lines (%s: playing %s, compaction %s, measuring %s)",
			m, row.RepoBytes, row.CloneBytes, row.HealthCold.Round(time.Millisecond), pushes, lines, time.Since(t0).Round(time.Second),
			tc.Sub(t0).Round(time.Second), tm.Sub(tc).Round(time.Second), time.Since(tm).Round(time.Second))
	}
	return out, nil
}

// newWorld builds the shard with the hub's real builder and reads its keys.
func newWorld(ctx context.Context, cfg Config) (*world, error) {
	data := filepath.Join(cfg.Dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	entries := make([]manifest.Entry, cfg.Keys)
	for i := range entries {
		p := fmt.Sprintf("items/%d/%d.bin", i/1000*1000, i)
		entries[i] = manifest.Entry{Path: p, Size: int64(1<<20 + i), SHA256: fmt.Sprintf("%064x", uint64(i)*2654435761+1), URL: "https://archive.example/" + p}
	}
	infos, err := shard.Build(ctx, entries, shard.Options{DataDir: data, FilesPerShard: cfg.Keys, Git: cfg.Git, Now: func() time.Time { return start }})
	if err != nil {
		return nil, err
	}
	if len(infos) != 1 {
		return nil, fmt.Errorf("the build made %d shards, want 1", len(infos))
	}
	w := &world{cfg: cfg, data: data, shard: infos[0].Name, now: start, rng: rand.New(rand.NewPCG(cfg.Seed, 1))}
	w.g = cfg.Git
	w.g.Dir = shard.RepoDir(data, infos[0].Name)
	err = w.readKeys(ctx)
	w.donors = plan(cfg)
	return w, err
}

// measure takes one month's figures.
func (w *world) measure(ctx context.Context, m int) (Month, error) {
	row := Month{Month: m, CloneBytes: -1}
	var err error
	if row.RepoBytes, err = compact.Size(ctx, w.g); err != nil {
		return row, err
	}
	t0 := time.Now()
	rep, err := health.Compute(ctx, w.data, health.Options{Git: w.cfg.Git, Now: func() time.Time { return w.now }}, nil)
	if err != nil {
		return row, err
	}
	row.HealthCold = time.Since(t0)
	if len(rep.Total.ByCopies) > 0 {
		row.Covered = rep.Total.ByCopies[len(rep.Total.ByCopies)-1].Files
	}
	if m <= 1 || m == w.cfg.Months || m%w.cfg.CloneEvery == 0 {
		if row.CloneBytes, err = w.cloneSize(ctx); err != nil {
			return row, err
		}
	}
	return row, nil
}

// cloneSize clones the shard as a donor does (every branch, over git's
// pack protocol, not hard links) and sizes what arrived.
func (w *world) cloneSize(ctx context.Context) (int64, error) {
	dir := filepath.Join(w.cfg.Dir, "clone.git")
	defer os.RemoveAll(dir)
	g := w.cfg.Git
	if _, err := g.Output(ctx, nil, "clone", "-q", "--bare", "--no-local", "file://"+w.g.Dir, dir); err != nil {
		return 0, err
	}
	g.Dir = dir
	return compact.Size(ctx, g)
}
