package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/server"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	data, db, listen, origin, publicURL, expiry string
	challengeEvery, challengeTTL                string
	compactEvery                                string
	hostName, heartbeatEvery                    string
	target, registerLimit                       int
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve --data DATA [--db URL] [--listen ADDR] [--origin DIR] [--public-url URL] [--target-copies N] [--expiry 120d]",
		Short: "Serve registration, health and the shard repositories over HTTP",
		Long: `serve runs the hub over HTTP (the API is in docs/hub-api.md):
  POST /api/v1/donors   register a donor and assign it the shard most in need
  /api/v1/donors/<uuid> the donor's own record, more shards, leave, delete,
                        proof-of-storage challenges and answers
  GET  /api/v1/config   target copies and expiry
  GET  /api/v1/health   copies per shard, as JSON
  GET  /health          the health page; /health/at-risk.csv the files at risk
  /git/<shard>.git      the shard repositories over git smart HTTP
                        (clone is anonymous; a donor pushes its own
                        refs/heads/donors/<uuid>/git-annex with its token,
                        and every push is audited)
  /origin/              the files of --origin DIR, when given

Donors live in DATA/hub.db (SQLite; migrated on start), or with --db
postgres://... in that PostgreSQL database (migrated on start too; several
hub hosts may share it). serve installs a pre-receive hook in every shard
that runs this binary's audit on each push: keep the binary where it is
while serving.

--public-url is the base URL donors reach the hub at (it goes into the
clone URLs the hub hands out); by default http://<listen address>.
--target-copies is how many donor copies each file should have;
--expiry is how long a donor may stay silent before its copies stop
counting (they count again when it pushes). --register-limit is how many
registrations one address may make per hour (429 beyond it). SIGINT or
SIGTERM shut the server down gracefully.

Proof of storage (docs/proof-of-storage.md): every --challenge-every each
donor is challenged for a random file it holds and has --challenge-ttl to
answer; after 3 failures in a row its copies stop counting until it passes
again. 'shardhub challenge' issues one now.

Every --compact-every (default 7d; 0 turns it off) each shard is compacted:
the donors' branches merged into its git-annex branch and its history
forgotten the way git-annex does it ('shardhub compact' does it now; see
docs/compaction.md).

Several hub hosts (docs/scaling.md): with --host-name NAME (and
--public-url, --db shared by every host) this process serves the shard
repositories placed on it: at start it claims the shards of DATA that no
host serves yet. Every host answers registration and API calls and sends
donors to the host of their shard; a host silent for 4 --heartbeat-every
is away (its shards are marked unreachable). 'shardhub shards place' moves
a shard to another host.`,
		Example: `  shardhub serve --data /srv/shardhub
  shardhub serve --data /srv/shardhub --listen 0.0.0.0:8080 --public-url https://archive.example/shardhub
  shardhub serve --data ./demo --origin ./collection --listen 127.0.0.1:8080
  PGPASSWORD=secret shardhub serve --data /srv/shardhub --db postgres://shardhub@db.internal/shardhub
  shardhub serve --data /srv/a --db postgres://shardhub@db.internal/shardhub --host-name a --public-url https://a.archive.example`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "data directory `DATA` written by shardhub build")
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "`ADDR` (host:port) to listen on")
	f.StringVar(&o.origin, "origin", "", "serve the files under `DIR` at /origin/ (the archive's own HTTP origin, for demos and tests)")
	f.StringVar(&o.publicURL, "public-url", "", "base `URL` donors reach the hub at (default http://<listen address>)")
	f.IntVar(&o.target, "target-copies", health.DefaultTargetCopies, "donor copies wanted per file (the archive's own not counted)")
	f.StringVar(&o.expiry, "expiry", "120d", "donors silent for longer than `DAYS` stop counting as copies")
	f.StringVar(&o.challengeEvery, "challenge-every", "24h", "challenge each donor to prove it holds a file every `DURATION`")
	f.StringVar(&o.challengeTTL, "challenge-ttl", "24h", "how long a donor has to answer a challenge (`DURATION`)")
	f.StringVar(&o.compactEvery, "compact-every", "7d", "compact every shard's git-annex branch every `DURATION` (0: never)")
	f.IntVar(&o.registerLimit, "register-limit", server.DefaultRegisterLimit, "registrations one address may make per hour (-1: no limit)")
	addDBFlag(f, &o.db)
	addHostFlags(f, &o)
	cmd.MarkFlagRequired("data")
	return cmd
}

// challengeTick is how often serve looks for challenges due or expired.
const challengeTick = time.Minute

func (o serveOptions) run(ctx context.Context, log *slog.Logger) error {
	if err := requireShards(o.data); err != nil {
		return err
	}
	if o.target < 1 {
		return errors.New("--target-copies must be at least 1")
	}
	expiry, err := parseDays(o.expiry)
	if err != nil {
		return err
	}
	every, err := parseDuration("--challenge-every", o.challengeEvery)
	if err != nil {
		return err
	}
	ttl, err := parseDuration("--challenge-ttl", o.challengeTTL)
	if err != nil {
		return err
	}
	compactEvery, err := o.compaction()
	if err != nil {
		return err
	}
	// The hook calls this very binary back: the audit is Go code.
	hook, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the shardhub binary for the push audit hook: %w", err)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (is another server using it?)", o.listen, err)
	}
	defer ln.Close()
	public, err := o.public(ln.Addr(), log)
	if err != nil {
		return err
	}
	hosts, err := o.hostConfig()
	if err != nil {
		return err
	}
	if hosts.Store != nil {
		defer hosts.Store.Close()
	}
	srv, err := server.New(server.Config{DataDir: o.data, OriginDir: o.origin, PublicURL: public, Logger: log,
		TargetCopies: o.target, Expiry: expiry, AuditHook: hook, ChallengeEvery: every, ChallengeTTL: ttl,
		RegisterLimit: o.registerLimit, DB: o.db, Store: hosts.Store, HostName: hosts.HostName, HeartbeatEvery: hosts.HeartbeatEvery})
	if err != nil {
		return err
	}
	defer srv.Close()
	defer o.background(ctx, srv, hosts.HeartbeatEvery, compactEvery)() // stopped before srv.Close
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("shardhub listening", "url", public, "data", o.data, "db", dbName(o.db))
	select {
	case err := <-served:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// background runs the server's rounds (proofs of storage, heartbeats
// with several hub hosts, compaction) until the returned stop.
func (o serveOptions) background(ctx context.Context, srv *server.Server, heartbeat, compactEvery time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	every := func(d time.Duration, run func(context.Context, <-chan time.Time)) {
		tick := time.NewTicker(d)
		wg.Add(1)
		go func() { defer wg.Done(); defer tick.Stop(); run(ctx, tick.C) }()
	}
	every(challengeTick, srv.RunChallenges)
	if o.hostName != "" {
		every(heartbeat, srv.RunHosts)
	}
	if compactEvery > 0 {
		every(compactEvery, srv.RunCompaction)
	}
	return func() { cancel(); wg.Wait() }
}

// public is the base URL for clients: --public-url, else the address
// listened on (localhost when that is every interface, with a warning).
func (o serveOptions) public(addr net.Addr, log *slog.Logger) (string, error) {
	if o.publicURL != "" {
		u, err := url.Parse(o.publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("--public-url %q is not an http or https URL", o.publicURL)
		}
		return o.publicURL, nil
	}
	tcp, ok := addr.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		log.Warn("listening on every interface: set --public-url to the URL donors reach this hub at")
		return fmt.Sprintf("http://localhost:%d", tcp.Port), nil
	}
	return "http://" + addr.String(), nil
}

// requireShards turns a missing catalog into advice: the usual cause is a
// --data that points at the wrong directory.
func requireShards(data string) error {
	_, err := shard.ReadCatalog(data)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s has no shards: build them with 'shardhub build --out %s', or point --data at a built directory", data, data)
	}
	return err
}

// compaction is --compact-every: 0 (or "off") for never.
func (o serveOptions) compaction() (time.Duration, error) {
	if o.compactEvery == "0" || o.compactEvery == "off" {
		return 0, nil
	}
	return parseDuration("--compact-every", o.compactEvery)
}
