// Package agent is the donor's git-annex managing agent: it fills the
// donor's storage with the files of its shards that most need copies,
// within the donor's budget, gives space back when asked, and reports
// back to the hub. It has no GUI imports and builds with CGO_ENABLED=0.
package agent

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/copies"
	"github.com/shardkeeper/shardkeeper/agent/fetch"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/agent/report"
	"github.com/shardkeeper/shardkeeper/agent/restore"
	"github.com/shardkeeper/shardkeeper/agent/verify"
	"github.com/shardkeeper/shardkeeper/agent/webproxy"
)

// Agent runs fill cycles for one donor home and answers the control API.
type Agent struct {
	home  home.Home
	opts  Options
	log   *slog.Logger
	clock Clock
	bus   *eventBus
	hub   *hubclient.Client

	cycleMu sync.Mutex // one cycle (give back, leave, fill) at a time
	dropMu  sync.Mutex // one drop at a time (Release runs beside a fill)
	saveMu  sync.Mutex // one config write at a time, so none loses another's locations

	mu           sync.Mutex
	cfg          home.Config
	state        home.State
	settings     control.Settings
	fails        *plan.Failures
	phase        string // control.State* while running
	ledger       *ledger.Ledger
	transfers    *fetch.Transfers
	copies       *copies.View // where copies are: each shard's branch (agent/copies)
	trees        map[string]*tree
	slimTimer    *time.Timer // slims again after the Browse tab read a whole shard (footprint.go)
	metaClock    metaClock   // when the storage folders were last measured (metausage.go)
	target       int
	cancelCycle  context.CancelFunc // stops the cycle under way (pause)
	blocked      string             // why downloads may not run now ("": they may)
	verifier     *verify.Verifier   // verification (agent/verify)
	online       map[string]bool    // storage location ID -> connected now
	releasing    *control.Progress
	proxy        *webproxy.Proxy
	limiter      *webproxy.Limiter
	report       *report.Reporter  // pushes and proofs (agent/report)
	restore      *restore.Uploader // sends back files the hub asks for (agent/restore)
	place        placement         // regions of the shards' donors (agent/placement.go)
	heldRecorded bool              // recordHeldOnce ran (heldlog.go)

	wake chan struct{}
}

// New prepares an agent for a joined home.
func New(h home.Home, opts Options) (*Agent, error) {
	cfg, err := h.LoadConfig()
	if err != nil {
		return nil, err
	}
	st, err := h.LoadState()
	if err != nil {
		return nil, err
	}
	settings, err := LoadSettings(h, cfg)
	if err != nil {
		return nil, err
	}
	fails, err := plan.LoadFailures(h.FailuresPath())
	if err != nil {
		return nil, err
	}
	setDefaults(&opts, h)
	hub, err := hubclient.New(cfg.Hub)
	if err != nil {
		return nil, err
	}
	a := &Agent{
		home: h, opts: opts, log: opts.Logger, clock: opts.Clock, bus: newEventBus(), hub: hub,
		cfg: cfg, state: st, settings: settings, fails: fails, phase: control.StateIdle,
		ledger: ledger.New(), transfers: fetch.NewTransfers(opts.Clock.Now), copies: copies.New(opts.Logger, opts.Clock.Now),
		trees: map[string]*tree{}, target: initialTarget(opts, cfg), online: map[string]bool{},
		limiter: webproxy.NewLimiter(0),
		wake:    make(chan struct{}, 1),
	}
	a.report = a.newReporter()
	a.verifier = a.newVerifier()
	a.ledger.SetContentOnly(opts.ContentOnlyBudget)
	a.restore = a.newUploader()
	a.migrate()
	a.refreshStorage(false)
	if err := a.rescan(); err != nil {
		return nil, err
	}
	return a, nil
}

// Run serves the control API and runs fill cycles until ctx ends, or
// until the first cycle is done (and reported to the hub) when untilIdle
// is set.
func (a *Agent) Run(ctx context.Context, untilIdle bool) error {
	ln, token, err := control.ListenLocal(a.home.SocketPath(), a.home.EndpointPath())
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		stop()
		wg.Wait()
		a.Close()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := control.ServeToken(ctx, ln, a, token); err != nil {
			a.log.Error("control API stopped", "err", err)
		}
	}()
	a.log.Info("agent started", "home", a.home.Dir, "donor", a.cfg.DonorUUID)
	a.applyPolicy()
	a.dropWorkTrees(ctx) // shards joined with a work tree lose it (sparse.go)
	if !untilIdle {
		a.scheduleVerification() // catch up on a run missed while stopped
		wg.Add(4)
		go func() { defer wg.Done(); a.restore.Run(ctx) }()
		go func() { defer wg.Done(); a.report.Loop(ctx) }()
		go func() { defer wg.Done(); a.policyLoop(ctx) }()
		go func() { defer wg.Done(); a.watchLoop(ctx) }()
	}
	for {
		err := a.Cycle(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Error("cycle failed", "err", err)
		}
		if untilIdle {
			a.restoreOnce(ctx)
			if perr := a.pushAll(ctx); perr != nil {
				a.log.Warn("could not report to the hub", "err", perr)
			}
			stop()
			return err
		}
		a.slimDown() // idle: let go of the per-file structures (footprint.go)
		select {
		case <-ctx.Done():
			a.log.Info("agent stopped")
			return nil
		case <-a.wake:
		case <-a.clock.After(a.nextCycleWait()):
		}
	}
}

// Close stops the download proxy; Run does it on its way out.
func (a *Agent) Close() {
	a.mu.Lock()
	p := a.proxy
	a.proxy = nil
	a.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// shards is a copy of the donor's shards on connected storage (the list
// grows when the hub gives another shard). A shard on a drive that is not
// connected is left alone: no downloads, no reports, no verification.
func (a *Agent) shards() []home.ShardConfig {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []home.ShardConfig
	for _, sh := range a.cfg.Shards {
		if a.online[sh.Location] {
			out = append(out, sh)
		}
	}
	return out
}

// kick starts a cycle now (after resume, a new budget, a leave).
func (a *Agent) kick() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// interrupt stops the cycle under way (downloads end at once; git-annex
// keeps partial downloads for later).
func (a *Agent) interrupt() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cancelCycle != nil {
		a.cancelCycle()
	}
}

var (
	_ control.API      = (*Agent)(nil)
	_ control.LeaverBy = (*Agent)(nil)
)
