// Package agent is the donor's git-annex managing agent: it fills the
// donor's storage with the files of its shards that most need copies,
// within the donor's budget, and reports back to the hub. It has no GUI
// imports and builds with CGO_ENABLED=0.
package agent

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
)

// Options tune an agent; zero values pick sensible defaults.
type Options struct {
	Tools    Tools
	Now      func() time.Time
	Logger   *slog.Logger
	Jobs     int           // parallel downloads (default 4)
	Interval time.Duration // time between fill cycles (default 10m)
	Target   int           // donor copies wanted per file (default 3)
}

// Agent runs fill cycles for one donor home and answers the control API.
type Agent struct {
	home home.Home
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	state    home.State
	phase    string // control.State* while running
	held     map[string]map[annex.Key]int64
	cancel   context.CancelFunc // stops the cycle under way (pause)
	wake     chan struct{}
	inflight int
}

// New prepares an agent for a joined home.
func New(h home.Home, opts Options) (*Agent, error) {
	if _, err := h.LoadConfig(); err != nil {
		return nil, err
	}
	st, err := h.LoadState()
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Jobs <= 0 {
		opts.Jobs = 4
	}
	if opts.Interval <= 0 {
		opts.Interval = 10 * time.Minute
	}
	if opts.Target <= 0 {
		opts.Target = DefaultTargetCopies
	}
	return &Agent{home: h, opts: opts, log: opts.Logger, state: st, phase: control.StateIdle,
		held: map[string]map[annex.Key]int64{}, wake: make(chan struct{}, 1)}, nil
}

// Run serves the control socket and runs fill cycles until ctx ends, or
// until the first cycle that leaves nothing to do when untilIdle is set.
func (a *Agent) Run(ctx context.Context, untilIdle bool) error {
	ln, err := control.Listen(a.home.SocketPath())
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- control.Serve(ctx, ln, a) }()

	a.log.Info("agent started", "home", a.home.Dir)
	for {
		err := a.Cycle(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Error("fill cycle failed", "err", err)
		}
		if untilIdle {
			stop()
			<-served
			return err
		}
		select {
		case <-ctx.Done():
			<-served
			return nil
		case <-a.wake:
		case <-time.After(a.opts.Interval):
		}
	}
}

// Cycle fetches what the budget allows, then reports to the hub. A paused
// agent does nothing.
func (a *Agent) Cycle(ctx context.Context) error {
	a.mu.Lock()
	if a.state.Paused {
		a.mu.Unlock()
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	a.cancel = cancel
	a.mu.Unlock()
	defer func() {
		cancel()
		a.mu.Lock()
		a.cancel = nil
		if a.phase == control.StateFetching {
			a.phase = control.StateIdle
		}
		a.mu.Unlock()
	}()

	cfg, err := a.home.LoadConfig()
	if err != nil {
		return err
	}
	msg, err := a.fill(ctx, cfg)
	if ctx.Err() != nil {
		return nil // paused or stopping: not a failure
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.state.LastCycle = a.opts.Now().UTC()
	a.state.Message = msg
	a.phase = control.StateIdle
	if err != nil {
		a.phase = control.StateError
		a.state.Message = err.Error()
	}
	if serr := a.home.SaveState(a.state); serr != nil && err == nil {
		err = serr
	}
	return err
}

// fill runs one cycle over every shard and returns the message that says
// where things stand.
func (a *Agent) fill(ctx context.Context, cfg home.Config) (string, error) {
	var total int64
	for _, sh := range cfg.Shards {
		held, err := HeldObjects(sh.Path)
		if err != nil {
			return "", fmt.Errorf("read what %s holds: %w", sh.Path, err)
		}
		a.setHeld(sh.Name, held)
		total += sumSizes(held)
	}
	room := cfg.BudgetBytes - total
	var wanted, fetched, failed int
	var smallestLeft int64
	var pushErr error
	for _, sh := range cfg.Shards {
		r := newRepo(a.opts.Tools, sh.Path, cfg.Hub)
		if err := a.sync(ctx, r); err != nil {
			a.log.Warn("could not refresh from the hub; working from what we have", "shard", sh.Name, "err", err)
		}
		loc, err := r.locations(ctx)
		if err != nil {
			return "", fmt.Errorf("read shard %s: %w", sh.Name, err)
		}
		plan := MakePlan(loc, cfg.DonorUUID, a.heldOf(sh.Name), a.opts.Target, room)
		wanted += plan.Wanted - len(plan.Fetch)
		if plan.SmallestLeft > 0 && (smallestLeft == 0 || plan.SmallestLeft < smallestLeft) {
			smallestLeft = plan.SmallestLeft
		}
		if len(plan.Fetch) > 0 {
			ok, bad := a.fetch(ctx, r, sh.Name, plan)
			fetched += ok
			failed += bad
			room -= plan.FetchBytes
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
		}
		if err := a.push(ctx, r, cfg); err != nil {
			a.log.Warn("could not report to the hub; will retry next cycle", "shard", sh.Name, "err", err)
			pushErr = err
		}
	}
	return a.summary(cfg, fetched, failed, wanted, smallestLeft, pushErr), nil
}

// sync brings in what other donors reported, so rarest-first is current.
func (a *Agent) sync(ctx context.Context, r *repo) error {
	fctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	_, ferr := r.git().Output(fctx, nil, "fetch", "--quiet", "origin")
	// merge also commits git-annex's journal; run it even when offline.
	if _, err := r.annex(ctx, nil, "merge", "--quiet"); err != nil {
		return err
	}
	return ferr
}

// fetch downloads a plan's files, keeping the held map current as each
// arrives so status is live.
func (a *Agent) fetch(ctx context.Context, r *repo, shard string, plan Plan) (ok, failed int) {
	keys := make([]annex.Key, len(plan.Fetch))
	for i, c := range plan.Fetch {
		keys[i] = c.Key
	}
	a.mu.Lock()
	a.phase = control.StateFetching
	a.inflight = len(keys)
	a.mu.Unlock()
	a.log.Info("fetching", "shard", shard, "files", len(keys), "bytes", plan.FetchBytes)
	err := r.get(ctx, keys, a.opts.Jobs, func(res getResult) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.inflight--
		if res.Success {
			ok++
			if size, has := annex.Key(res.Key).Size(); has {
				a.held[shard][annex.Key(res.Key)] = size
			}
			return
		}
		failed++
		a.log.Warn("could not fetch a file", "shard", shard, "key", res.Key, "note", res.Note, "errors", res.ErrorMessages)
	})
	if err != nil && ctx.Err() == nil {
		a.log.Error("git-annex get failed", "shard", shard, "err", err)
	}
	// What is on disk is the truth (a cancelled get may have finished some).
	if held, herr := HeldObjects(r.dir); herr == nil {
		a.setHeld(shard, held)
	}
	return ok, failed
}

// push sends this donor's git-annex branch to its own ref on the hub.
func (a *Agent) push(ctx context.Context, r *repo, cfg home.Config) error {
	pctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	ref := "refs/heads/git-annex:refs/heads/donors/" + cfg.DonorUUID + "/git-annex"
	// The token goes on the command line of git only (never into a config
	// file on the storage drive, which may be removable).
	_, err := r.git().Output(pctx, nil, "-c", "http.extraHeader=Authorization: Bearer "+cfg.Token,
		"push", "--quiet", "origin", ref)
	return err
}

// summary says in plain language where the cycle left things.
func (a *Agent) summary(cfg home.Config, fetched, failed, wanted int, smallestLeft int64, pushErr error) string {
	a.mu.Lock()
	var held int64
	var files int
	for _, m := range a.held {
		held += sumSizes(m)
		files += len(m)
	}
	a.mu.Unlock()
	var msg string
	switch {
	case files == 0 && wanted > 0 && smallestLeft > 0:
		msg = fmt.Sprintf("Nothing fetched: your budget (%s) is smaller than the smallest file that needs a copy (%s). Raise the budget to help.",
			FormatSize(cfg.BudgetBytes), FormatSize(smallestLeft))
	case wanted > 0:
		msg = fmt.Sprintf("Budget full: %s of %s used; %d more files need copies.", FormatSize(held), FormatSize(cfg.BudgetBytes), wanted)
	default:
		msg = "Up to date: every file you could help with has enough copies."
	}
	if failed > 0 {
		msg += fmt.Sprintf(" %d files could not be downloaded and will be retried later.", failed)
	}
	if pushErr != nil {
		msg += " The hub could not be reached to report; will retry."
	}
	return msg
}

func (a *Agent) setHeld(shard string, held map[annex.Key]int64) {
	a.mu.Lock()
	a.held[shard] = held
	a.mu.Unlock()
}

func (a *Agent) heldOf(shard string) map[annex.Key]int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[annex.Key]int64, len(a.held[shard]))
	for k, v := range a.held[shard] {
		out[k] = v
	}
	return out
}
