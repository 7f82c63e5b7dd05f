package agent

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/server"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/internal/fakeclock"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestMain lets this test binary audit pushes as the hub's pre-receive
// hook, as shardhub does in production: donors' pushes in these tests go
// through the real audit.
func TestMain(m *testing.M) { testkit.AuditHookMain(m) }

var requireGitAnnex = testkit.RequireGitAnnex

// origin is the archive's HTTP origin on loopback: it serves a folder with
// Range support, counts what it serves per path, and can be told to fail
// or to go slowly.
type origin struct {
	dir string
	url string
	srv *http.Server

	mu      sync.Mutex
	status  map[string]int   // path -> status to answer instead
	rate    int64            // bytes per second per response (0: fast)
	gets    map[string]int   // GET requests per path
	heads   map[string]int   // HEAD requests per path
	served  map[string]int64 // body bytes written per path
	open    map[string]int   // GET responses under way per path
	ranges  []string         // Range headers seen
	retryAf string
}

func newOrigin(t *testing.T, dir string) *origin {
	t.Helper()
	o := &origin{dir: dir, status: map[string]int{}, gets: map[string]int{}, heads: map[string]int{}, served: map[string]int64{}, open: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.url = "http://" + ln.Addr().String()
	o.srv = &http.Server{Handler: o}
	go o.srv.Serve(ln)
	t.Cleanup(func() { o.srv.Close() })
	return o
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	o.mu.Lock()
	if r.Method == http.MethodHead {
		o.heads[p]++
	} else {
		o.gets[p]++
		o.open[p]++
		defer func() {
			o.mu.Lock()
			o.open[p]--
			o.mu.Unlock()
		}()
	}
	if rg := r.Header.Get("Range"); rg != "" {
		o.ranges = append(o.ranges, rg)
	}
	status, rate, ra := o.status[p], o.rate, o.retryAf
	o.mu.Unlock()
	if status != 0 {
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	f, err := os.Open(filepath.Join(o.dir, filepath.FromSlash(p)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, _ := f.Stat()
	http.ServeContent(&countingWriter{ResponseWriter: w, o: o, path: p, rate: rate, ctx: r.Context()}, r, p, info.ModTime(), f)
}

func (o *origin) set(fn func(o *origin)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fn(o)
}

func (o *origin) bytesServed(p string) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.served[p]
}

// openOf is how many GET responses for p are under way.
func (o *origin) openOf(p string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.open[p]
}

func (o *origin) getsOf(p string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.gets[p]
}

// countingWriter counts body bytes and, when rate is set, writes slowly.
type countingWriter struct {
	http.ResponseWriter
	o    *origin
	path string
	rate int64
	ctx  context.Context
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		chunk := len(p)
		if c.rate > 0 {
			chunk = min(chunk, int(max(c.rate/20, 1024)))
		}
		m, err := c.ResponseWriter.Write(p[:chunk])
		n += m
		c.o.mu.Lock()
		c.o.served[c.path] += int64(m)
		c.o.mu.Unlock()
		if err != nil {
			return n, err
		}
		p = p[chunk:]
		if c.rate > 0 {
			if f, ok := c.ResponseWriter.(http.Flusher); ok {
				f.Flush()
			}
			select {
			case <-time.After(time.Duration(int64(chunk) * int64(time.Second) / c.rate)):
			case <-c.ctx.Done():
				return n, c.ctx.Err()
			}
		}
	}
	return n, nil
}

// hub is shardhub's server in this process, on a listener the test can
// stop and start again (the hub going down and coming back).
type hub struct {
	t    *testing.T
	srv  *server.Server
	addr string
	url  string
	data string

	mu   sync.Mutex
	http *http.Server
}

func (h *hub) start() {
	h.t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger for a moment after stop
		if ln, err = net.Listen("tcp", h.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		h.t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	h.url = "http://" + h.addr
	h.mu.Lock()
	h.http = &http.Server{Handler: h.srv.Handler()}
	go h.http.Serve(ln)
	h.mu.Unlock()
}

func (h *hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.http != nil {
		h.http.Close()
		h.http = nil
	}
}

// world is a collection, its origin and a hub serving it as one shard.
type world struct {
	t      *testing.T
	dir    string
	coll   string
	origin *origin
	hub    *hub
	files  map[string]int64 // path in the shard -> size
}

// newWorld makes n files of the sizes sizeOf(i) gives, in one shard.
func newWorld(t *testing.T, n int, sizeOf func(i int) int) *world {
	t.Helper()
	return newWorldShards(t, n, 0, sizeOf)
}

// newWorldShards is newWorld with perShard files per shard (0: one shard).
func newWorldShards(t *testing.T, n, perShard int, sizeOf func(i int) int) *world {
	t.Helper()
	requireGitAnnex(t)
	w := &world{t: t, dir: t.TempDir(), files: map[string]int64{}}
	w.coll = filepath.Join(w.dir, "collection")
	rng := rand.New(rand.NewSource(int64(n)))
	for i := 0; i < n; i++ {
		data := make([]byte, sizeOf(i))
		rng.Read(data)
		perItem := 10
		if perShard > 0 {
			perItem = perShard // shards are cut at item boundaries
		}
		rel := fmt.Sprintf("item-%02d/file-%03d.bin", i/perItem, i)
		p := filepath.Join(w.coll, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		w.files[rel] = int64(len(data))
	}
	w.origin = newOrigin(t, w.coll)
	entries, err := manifest.FromDir(w.coll, w.origin.url)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(w.dir, "hub")
	if _, err := shard.Build(context.Background(), entries, shard.Options{DataDir: data, FilesPerShard: perShard}); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{DataDir: data, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AuditHook: testkit.SelfHook(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	w.hub = &hub{t: t, srv: srv, addr: "127.0.0.1:0", data: data}
	w.hub.start()
	t.Cleanup(w.hub.stop)
	return w
}

func (w *world) total() int64 {
	var n int64
	for _, s := range w.files {
		n += s
	}
	return n
}

// join registers a donor with budget bytes and returns its home.
func (w *world) join(name string, budget int64) home.Home {
	w.t.Helper()
	h := home.Home{Dir: filepath.Join(w.dir, name+"-home")}
	_, err := Join(context.Background(), h, Tools{}, JoinRequest{Hub: w.hub.url, Storage: filepath.Join(w.dir, name+"-storage"),
		BudgetBytes: budget, Name: name}, time.Now)
	if err != nil {
		w.t.Fatal(err)
	}
	return h
}

// testLogger writes the agent's log to the test's log on failure.
func testLogger(t *testing.T) *slog.Logger {
	var buf testkit.SyncBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent log:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(&buf, nil))
}

// newAgent makes an agent for h with test-friendly options.
func newAgent(t *testing.T, h home.Home, o Options) *Agent {
	t.Helper()
	if o.Logger == nil {
		o.Logger = testLogger(t)
	}
	if o.Target == 0 {
		o.Target = 3
	}
	// These tests reason about content alone; footprint_test.go counts
	// the repositories' own files too, as the app does.
	o.ContentOnlyBudget = true
	a, err := New(h, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// runAgent runs a.Run until the test ends (or stop is called).
func runAgent(t *testing.T, a *Agent) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx, false); err != nil {
			t.Errorf("agent: %v", err)
		}
	}()
	c := control.NewLocalClient(a.home.SocketPath(), a.home.EndpointPath())
	waitFor(t, 10*time.Second, "the agent's control API", func() bool {
		_, err := c.Status(context.Background())
		return err == nil
	})
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// diskUse is what the annexed objects and partial downloads of a donor
// repository take on disk now: objects first, then tmp, so a file moving
// from tmp to objects during the walk is never counted twice.
func diskUse(repo string) (int64, int) {
	var total int64
	partials := 0
	for _, sub := range []string{"objects", "tmp"} {
		filepath.WalkDir(filepath.Join(repo, ".git", "annex", sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				total += ledger.DiskUsage(info)
				if sub == "tmp" {
					partials++
				}
			}
			return nil
		})
	}
	return total, partials
}

// heldKeys asks git-annex which keys the repository has.
func heldKeys(t *testing.T, repo string) map[annex.Key]bool {
	t.Helper()
	cmd := exec.Command("git", "annex", "find", "--branch=HEAD", "--in=here", "--format=${key}\n")
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git annex find in %s: %v", repo, err)
	}
	keys := map[annex.Key]bool{}
	for _, k := range strings.Fields(string(out)) {
		keys[annex.Key(k)] = true
	}
	return keys
}

// keyOfPath maps shard paths to keys through the commit's tree (a donor
// has no checkout).
func keyOfPath(t *testing.T, repo, rel string) annex.Key {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "blob", "HEAD:"+rel)
	cmd.Dir = repo
	target, err := cmd.Output()
	if err != nil {
		t.Fatalf("git cat-file HEAD:%s in %s: %v", rel, repo, err)
	}
	return annex.Key(filepath.Base(string(target)))
}

// fakeClock is the agent's injected clock in tests (internal/fakeclock).
type fakeClock struct{ *fakeclock.Clock }

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{fakeclock.New(t)} }

// BlockUntil waits until n waits on the clock began since the last
// Advance or Mark, and are still waiting: n loops went back to sleep.
func (c *fakeClock) BlockUntil(t *testing.T, n int) {
	t.Helper()
	waitFor(t, 60*time.Second, fmt.Sprintf("%d loops to wait on the clock", n), func() bool {
		return c.WaitingSinceMark() >= n
	})
}

// events collects an agent's events.
type events struct {
	mu  sync.Mutex
	all []control.Event
}

func collectEvents(t *testing.T, a *Agent) *events {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, _ := a.Events(ctx)
	e := &events{}
	go func() {
		for ev := range ch {
			e.mu.Lock()
			e.all = append(e.all, ev)
			e.mu.Unlock()
		}
	}()
	return e
}

func (e *events) of(kind string) []control.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []control.Event
	for _, ev := range e.all {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}
