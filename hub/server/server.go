// Package server is shardhub's HTTP side: donor registration, health, the
// shard repositories over git smart HTTP (through the real git
// http-backend), and optionally the archive's files themselves.
package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// Config configures a Server.
type Config struct {
	DataDir   string // built by shardhub build: shards.json, shards/, donors.json
	OriginDir string // optional: served under /origin/ as the archive's HTTP origin
	PublicURL string // base URL clients use; when empty, taken from each request's Host
	Git       annex.Git
	Now       func() time.Time // time.Now when nil
	Logger    *slog.Logger     // slog.Default() when nil
	Store     store.Store      // the donor registry; DATA/donors.json when nil
}

// Server serves one data directory.
type Server struct {
	cfg    Config
	log    *slog.Logger
	shards map[string]shard.Info
	order  []shard.Info
	donors store.Store
	git    gitBackend
}

// New loads the shard catalog (a data directory without one serves no
// shards: registration answers 503) and the donor registry.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	cfg.DataDir = dataDir
	infos, err := shard.ReadCatalog(dataDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, shards: map[string]shard.Info{}, order: infos}
	var names []string
	for _, info := range infos {
		s.shards[info.Name] = info
		names = append(names, info.Name)
	}
	if s.donors = cfg.Store; s.donors == nil {
		if s.donors, err = store.OpenFile(dataDir, names); err != nil {
			return nil, err
		}
	}
	if s.git, err = newGitBackend(cfg.Git, shard.Dir(dataDir), cfg.Logger); err != nil {
		return nil, err
	}
	if cfg.OriginDir != "" {
		if st, err := os.Stat(cfg.OriginDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("origin directory %s is not a directory", cfg.OriginDir)
		}
	}
	return s, nil
}

// Handler routes every endpoint, with request logging.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/donors", s.registerDonor)
	mux.HandleFunc("GET /api/v1/health", s.health)
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("/git/", s.serveGit)
	if s.cfg.OriginDir != "" {
		mux.Handle("GET /origin/", http.StripPrefix("/origin", http.FileServer(http.Dir(s.cfg.OriginDir))))
	}
	return s.logRequests(mux)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	report, err := health.Compute(r.Context(), s.cfg.DataDir, s.cfg.Git)
	if err != nil {
		s.log.Error("health", "err", err)
		writeError(w, http.StatusInternalServerError, "could not compute health; see the hub's log")
		return
	}
	writeJSON(w, http.StatusOK, report)
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
