// Package server is shardhub's HTTP side: donor registration, health, the
// shard repositories over git smart HTTP (through the real git
// http-backend), and optionally the archive's files themselves.
package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/audit"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/internal/defaults"
)

// Config configures a Server.
type Config struct {
	DataDir   string // built by shardhub build: shards.json, shards/; the server adds hub.db
	OriginDir string // optional: served under /origin/ as the archive's HTTP origin
	PublicURL string // base URL clients use; when empty, taken from each request's Host
	Git       annex.Git
	Now       func() time.Time // time.Now when nil
	Logger    *slog.Logger     // slog.Default() when nil
	Store     store.Store      // the donor registry; opened from DB when nil (closed by Close)
	DB        string           // --db: a postgres:// URL, or "" for DATA/hub.db (SQLite)

	TargetCopies int           // donor copies wanted per file; health.DefaultTargetCopies when 0
	Expiry       time.Duration // silent donors stop counting after this; health.DefaultExpiry when 0

	// AuditHook is a program with an "audit-hook" command (shardhub
	// itself: os.Executable() in shardhub serve) that every shard's
	// pre-receive hook runs to audit pushes. When empty the hub refuses
	// every push, and New logs a warning.
	AuditHook string

	// Proofs of storage (docs/proof-of-storage.md): a donor is challenged
	// every ChallengeEvery (DefaultChallengeEvery when 0) and has
	// ChallengeTTL to answer (DefaultChallengeTTL when 0). Rand draws keys,
	// ranges and nonces (crypto/rand.Reader when nil); HTTPClient reads
	// the archive's copy to check answers.
	ChallengeEvery time.Duration
	ChallengeTTL   time.Duration
	Rand           io.Reader
	HTTPClient     *http.Client

	// AskSilence: a donor asked to upload a file for a restore that has
	// not done so within this long is passed over for another
	// (DefaultAskSilence when 0).
	AskSilence time.Duration

	// RegisterLimit is how many registrations one client address may make
	// per hour (DefaultRegisterLimit when 0; negative: no limit).
	RegisterLimit int

	// HostName makes this process one of several hub hosts sharing Store
	// (issue 15, docs/scaling.md): it serves the shards placed on it and
	// sends donors to the host of theirs. HeartbeatEvery is how often it
	// says it is alive (DefaultHeartbeatEvery when 0; RunHosts beats).
	HostName       string
	HeartbeatEvery time.Duration
}

// Server serves one data directory.
type Server struct {
	cfg     Config
	log     *slog.Logger
	cat     atomic.Pointer[catalog] // replaced whole when a rebuild changes it
	donors  store.Store
	ownsDB  bool
	git     gitBackend
	tracker *health.Tracker
	hosts   *hostSet // several hub hosts sharing the store; nil for one

	mu          sync.Mutex
	lastRefresh time.Time // of every shard, for health pages
	refreshing  bool      // a background refresh is running
	refreshWG   sync.WaitGroup

	branchMu  sync.Mutex // one writer of the shards' git-annex branches at a time
	restoreMu sync.Mutex // one restore upload decided at a time
	paths     pathIndex  // shard paths -> keys, for /restore/
	reinjects reinjecter // verified files waiting to be recorded on the branch
	regLimit  *rateLimiter
	history   historyClock
	pushSlots chan struct{} // receive-packs running at once (pushSlots)
}

// refreshEvery bounds how stale a health page may be when no push was
// seen (a rebuild, say); pushes refresh their shard at once.
const refreshEvery = time.Minute

// New loads the shard catalog (a data directory without one serves no
// shards: registration answers 503), opens the donor registry, installs
// the push audit hook in every shard and reads every shard's health.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	defaults.Zero(&cfg.Logger, slog.Default())
	defaults.Positive(&cfg.TargetCopies, health.DefaultTargetCopies)
	defaults.Positive(&cfg.Expiry, health.DefaultExpiry)
	defaults.Positive(&cfg.ChallengeEvery, DefaultChallengeEvery)
	defaults.Positive(&cfg.ChallengeTTL, DefaultChallengeTTL)
	defaults.Zero(&cfg.Rand, rand.Reader)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: time.Minute}
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	cfg.DataDir = dataDir
	cat, err := readCatalog(dataDir)
	if err != nil {
		return nil, err
	}
	defaults.Zero(&cfg.RegisterLimit, DefaultRegisterLimit)
	s := &Server{cfg: cfg, log: cfg.Logger, regLimit: newRateLimiter(cfg.RegisterLimit, cfg.Now),
		pushSlots: make(chan struct{}, maxPushes())}
	s.cat.Store(cat)
	infos := cat.order
	if cfg.OriginDir != "" {
		if st, err := os.Stat(cfg.OriginDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("origin directory %s is not a directory", cfg.OriginDir)
		}
	}
	if s.git, err = newGitBackend(cfg.Git, shard.Dir(dataDir), cfg.Logger); err != nil {
		return nil, err
	}
	if s.donors = cfg.Store; s.donors == nil {
		if s.donors, err = store.OpenURL(cfg.DB, dataDir); err != nil {
			return nil, err
		}
		s.ownsDB = true
	}
	if err := s.joinHosts(infos); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.installHooks(); err != nil {
		s.Close()
		return nil, err
	}
	// The registry's database keeps the health state too, so a restart
	// reads no location log again.
	s.tracker = health.NewTracker(dataDir, health.Options{Git: cfg.Git, TargetCopies: cfg.TargetCopies, Expiry: cfg.Expiry, Now: cfg.Now, State: s.donors, Local: s.local})
	if len(infos) > 0 {
		if err := s.refreshAll(context.Background()); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close waits for background re-injection and releases the donor
// registry New opened.
func (s *Server) Close() error {
	s.reinjects.wg.Wait()
	s.refreshWG.Wait()
	if s.tracker != nil {
		s.tracker.Close()
	}
	if s.ownsDB {
		return s.donors.Close()
	}
	return nil
}

// installHooks makes every shard's pre-receive hook run the push audit.
func (s *Server) installHooks() error {
	order := s.cat.Load().order
	if s.cfg.AuditHook == "" {
		if len(order) > 0 {
			s.log.Warn("push audit is off: pushes are refused (shardhub serve turns the audit on)")
		}
		return nil
	}
	for _, info := range order {
		if !s.local(info.Name) {
			continue // served by another hub host
		}
		if err := audit.InstallHook(shard.RepoDir(s.cfg.DataDir, info.Name), s.cfg.AuditHook); err != nil {
			return fmt.Errorf("%s: %w", info.Name, err)
		}
	}
	return nil
}

// refreshAll brings every shard's health up to date.
func (s *Server) refreshAll(ctx context.Context) error {
	start := s.cfg.Now()
	if err := s.tracker.Refresh(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	s.lastRefresh = start
	s.mu.Unlock()
	return nil
}

// fresh refreshes every shard when the last full refresh is older than
// refreshEvery.
func (s *Server) fresh(ctx context.Context) error {
	if len(s.catalog().order) == 0 {
		return nil
	}
	s.mu.Lock()
	never := s.lastRefresh.IsZero() // a rebuild changed the catalog
	stale := s.cfg.Now().Sub(s.lastRefresh) >= refreshEvery
	start := stale && !never && !s.refreshing
	if start {
		s.refreshing = true
	}
	s.mu.Unlock()
	if never {
		return s.refreshAll(ctx)
	}
	if start {
		// Pushes refresh their shard at once: this catches what came
		// otherwise (git-annex branch edits on the hub), in the
		// background, so a page never waits on every shard's git.
		s.refreshWG.Add(1)
		go func() {
			defer s.refreshWG.Done()
			if err := s.refreshAll(context.Background()); err != nil {
				s.log.Warn("refresh health", "err", err)
			}
			s.mu.Lock()
			s.refreshing = false
			s.mu.Unlock()
		}()
	}
	return nil
}

// Handler routes every endpoint (docs/hub-api.md), with request logging.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/donors", s.limitRegistrations(s.registerDonor))
	mux.HandleFunc("GET /api/v1/config", s.config)
	mux.HandleFunc("GET /api/v1/donors/{uuid}", s.donorOnly(s.getDonor))
	mux.HandleFunc("PATCH /api/v1/donors/{uuid}", s.donorOnly(s.patchDonor))
	mux.HandleFunc("POST /api/v1/donors/{uuid}/shards", s.donorOnly(s.moreShards))
	mux.HandleFunc("POST /api/v1/donors/{uuid}/shards/{shard}/leave", s.donorOnly(s.leaveShard))
	mux.HandleFunc("DELETE /api/v1/donors/{uuid}/shards/{shard}", s.donorOnly(s.removeShard))
	mux.HandleFunc("GET /api/v1/collections", s.collections)
	mux.HandleFunc("POST /api/v1/donors/{uuid}/leave", s.donorOnly(s.leave))
	mux.HandleFunc("DELETE /api/v1/donors/{uuid}", s.donorOnly(s.deleteDonor))
	mux.HandleFunc("GET /api/v1/donors/{uuid}/challenges", s.donorOnly(s.openChallenges))
	mux.HandleFunc("POST /api/v1/donors/{uuid}/challenges/{id}", s.donorOnly(s.answerChallenge))
	mux.HandleFunc("GET /api/v1/donors/{uuid}/restores", s.donorOnly(s.listRestores))
	mux.HandleFunc("PUT /api/v1/donors/{uuid}/restores/{shard}/{key}", s.donorOnly(s.putRestore))
	mux.HandleFunc("GET /api/v1/donors/{uuid}/restores/{shard}/{key}", s.donorOnly(s.restoreStatus))
	mux.HandleFunc("GET /restore/{shard}/{path...}", s.serveRestored)
	mux.HandleFunc("GET /api/v1/health", s.health)
	mux.HandleFunc("GET /health", s.healthPage)
	mux.HandleFunc("GET /health/at-risk.csv", s.atRiskCSV)
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("/git/", s.serveGit)
	if s.cfg.OriginDir != "" {
		mux.Handle("GET /origin/", http.StripPrefix("/origin", http.FileServer(http.Dir(s.cfg.OriginDir))))
	}
	return s.logRequests(refuseDotSegments(limitBodies(mux)))
}

// refuseDotSegments answers 400 for an API path with a "." or ".."
// segment, which the mux would otherwise redirect to a cleaned path.
func refuseDotSegments(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			for _, seg := range strings.Split(r.URL.Path, "/") {
				if seg == ".." || seg == "." {
					writeError(w, http.StatusBadRequest, "the path must not contain '.' or '..' segments")
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) config(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, ConfigResponse{TargetCopies: s.cfg.TargetCopies, ExpiryDays: int(s.cfg.Expiry / (24 * time.Hour))})
}

// ConfigResponse is GET /api/v1/config.
type ConfigResponse struct {
	TargetCopies int `json:"target_copies"`
	ExpiryDays   int `json:"expiry_days"`
}

// publicURL is the base URL clients reach this hub at.
func (s *Server) publicURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// writeError answers {"error": msg}, the API's one error shape.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}

// catalog is the shards the hub serves, as the catalog file said when it
// was last read.
type catalog struct {
	byName map[string]shard.Info
	order  []shard.Info
	mtime  time.Time
}

func readCatalog(dataDir string) (*catalog, error) {
	c := &catalog{byName: map[string]shard.Info{}}
	if st, err := os.Stat(shard.CatalogPath(dataDir)); err == nil {
		c.mtime = st.ModTime()
	}
	infos, err := shard.ReadCatalog(dataDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	c.order = infos
	for _, info := range infos {
		c.byName[info.Name] = info
	}
	return c, nil
}

// catalog returns the current shards, first reading the catalog again when
// a rebuild (`shardhub build` into the same data) changed it, so a running
// hub serves new shards without a restart.
func (s *Server) catalog() *catalog {
	cur := s.cat.Load()
	st, err := os.Stat(shard.CatalogPath(s.cfg.DataDir))
	if err != nil || st.ModTime().Equal(cur.mtime) {
		return cur
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur = s.cat.Load(); st.ModTime().Equal(cur.mtime) {
		return cur // another request reloaded it meanwhile
	}
	next, err := readCatalog(s.cfg.DataDir)
	if err != nil {
		s.log.Warn("could not read the rebuilt shard catalog; serving the previous one", "err", err)
		return cur
	}
	s.cat.Store(next)
	if err := s.installHooks(); err != nil {
		s.log.Warn("could not install the push audit in a new shard", "err", err)
	}
	s.lastRefresh = time.Time{} // health reads the new shards on its next request
	s.log.Info("shard catalog reloaded", "shards", len(next.order))
	return next
}
