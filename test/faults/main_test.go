//go:build faults

// Package faults is the fault suite (`make test-faults`): the real
// shardhub and headless shardkeeper binaries on loopback, killed, starved
// of disk, fed a misbehaving origin and hostile input. Each test is one
// fault of docs/reliability.md. Tests that need root (mounts, other
// users) skip with a message when not run as root.
package faults

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// Binaries built once for the whole package.
var shardkeeperBin, shardhubBin string

func TestMain(m *testing.M) {
	testkit.BinariesMain(m, "../..", &shardkeeperBin, &shardhubBin)
}

// run and mustRun run a binary (testkit.RunBin, testkit.MustRunBin);
// result is what it did: r.Code, r.Stdout, r.Stderr.
var run, mustRun = testkit.RunBin, testkit.MustRunBin

type result = testkit.Result

func requireRoot(t *testing.T, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("skipped: %s needs root (run make test-faults as root, as CI does)", what)
	}
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
	}
}

// makeCollection writes n files of size bytes (random, seeded) in item
// folders under dir and returns their paths relative to dir.
func makeCollection(t *testing.T, dir string, n, size int, seed int64) []string {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	var paths []string
	for i := 0; i < n; i++ {
		data := make([]byte, size)
		rng.Read(data)
		rel := fmt.Sprintf("item-%02d/file-%03d.bin", i/10, i)
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, rel)
	}
	return paths
}

// hubProc is `shardhub serve` as a process the test may kill and start.
type hubProc struct {
	t    *testing.T
	data string
	addr string
	url  string
	args []string
	log  string
	cmd  *exec.Cmd
}

// startHub builds nothing: data must hold shards. extra are serve flags.
func startHub(t *testing.T, data string, extra ...string) *hubProc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hubProc{t: t, data: data, addr: ln.Addr().String(), args: extra, log: filepath.Join(t.TempDir(), "hub.log")}
	ln.Close()
	h.url = "http://" + h.addr
	h.start()
	t.Cleanup(func() {
		h.kill()
		if t.Failed() {
			b, _ := os.ReadFile(h.log)
			t.Logf("hub log (last 4000 bytes):\n%s", tail(b, 4000))
		}
	})
	return h
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (h *hubProc) start() {
	h.t.Helper()
	h.cmd = exec.Command(shardhubBin, append([]string{"serve", "--data", h.data, "--listen", h.addr}, h.args...)...)
	testkit.StartLogged(h.t, h.cmd, h.log)
	waitFor(h.t, "the hub to answer on "+h.addr, 30*time.Second, func() bool {
		return testkit.Answers(h.url + "/api/v1/config")
	})
}

// kill stops the hub with SIGKILL (no chance to clean up).
func (h *hubProc) kill() {
	if h.cmd != nil && h.cmd.Process != nil {
		h.cmd.Process.Signal(syscall.SIGKILL)
		h.cmd.Wait()
	}
	h.cmd = nil
}

// world is a collection on an origin, shards built from it, a hub.
type world struct {
	dir, coll, data string
	paths           []string
	size            int
	hub             *hubProc
}

// newWorld makes n files of size bytes served by originURL (nil: a plain
// file server) and a hub serving them as one shard.
func newWorld(t *testing.T, n, size int, origin func(dir string) string, hubArgs ...string) *world {
	t.Helper()
	testkit.RequireGitAnnex(t)
	w := &world{dir: t.TempDir(), size: size}
	w.coll = filepath.Join(w.dir, "collection")
	w.paths = makeCollection(t, w.coll, n, size, int64(n*size))
	if origin == nil {
		origin = func(dir string) string { return testkit.Origin(t, dir).URL }
	}
	w.data = filepath.Join(w.dir, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", w.coll, "--base-url", origin(w.coll), "--out", w.data)
	w.hub = startHub(t, w.data, hubArgs...)
	return w
}

// donor is one joined donor home.
type donor struct {
	home, storage string
}

// join joins a donor with room for content bytes of files above what its
// shard repositories take: the shards here hold a few hundred kilobytes and
// the faults are about content (agent's TestReportedUsageIsDu tests the
// budget's whole rule).
func (w *world) join(t *testing.T, name string, content int64) donor {
	t.Helper()
	d := donor{home: filepath.Join(w.dir, name+"-home"), storage: filepath.Join(w.dir, name+"-storage")}
	mustRun(t, shardkeeperBin, "join", "--home", d.home, "--hub", w.hub.url, "--storage", d.storage,
		"--budget", fmt.Sprint(content), "--name", name)
	testkit.ContentBudget(t, shardkeeperBin, d.home, content)
	return d
}

type statusJSON struct {
	FilesProtected int64  `json:"files_protected"`
	BytesHeld      int64  `json:"bytes_held"`
	FilesSkipped   int64  `json:"files_skipped"`
	State          string `json:"state"`
	Message        string `json:"message"`
	HubProblem     string `json:"hub_problem"`
	Shards         []struct {
		Name      string `json:"name"`
		Path      string `json:"path"`
		FilesHeld int64  `json:"files_held"`
	} `json:"shards"`
}

func status(t *testing.T, d donor) (statusJSON, string) {
	t.Helper()
	var st statusJSON
	r := mustRun(t, shardkeeperBin, "status", "--home", d.home, "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.Stdout)
	}
	return st, r.Stdout
}

func readDonor(t *testing.T, d donor) testkit.DonorConf {
	t.Helper()
	return testkit.ReadDonor(t, d.home)
}

// git runs git in dir with this process's (donor machine) environment.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// repoClean checks a donor repository after a fault: git-annex fsck of
// what it holds passes, no git lock file is left, and the count of files
// status reports is what git-annex finds.
func repoClean(t *testing.T, d donor) []string {
	t.Helper()
	st, _ := status(t, d)
	if len(st.Shards) == 0 {
		t.Fatalf("donor %s has no shard", d.home)
	}
	repo := st.Shards[0].Path
	for _, lock := range []string{".git/index.lock", ".git/annex/index.lock", ".git/HEAD.lock", ".git/refs/heads/git-annex.lock"} {
		if _, err := os.Stat(filepath.Join(repo, lock)); err == nil {
			t.Errorf("stale lock %s left in %s", lock, repo)
		}
	}
	// By key: a donor's shard has no work tree.
	if out, err := git(repo, "annex", "fsck", "--fast", "--all", "--in=here", "--quiet"); err != nil {
		t.Errorf("git annex fsck --fast in %s: %v\n%s", repo, err, out)
	}
	if out, err := git(repo, "annex", "fsck", "--all", "--in=here", "--quiet"); err != nil {
		t.Errorf("git annex fsck in %s: %v\n%s", repo, err, out)
	}
	out, err := git(repo, "annex", "find", "--branch=HEAD", "--in=here", "--format=${key}\n")
	if err != nil {
		t.Fatalf("git annex find: %v\n%s", err, out)
	}
	keys := strings.Fields(out)
	if int64(len(keys)) != st.FilesProtected {
		t.Errorf("status counts %d files, git-annex finds %d", st.FilesProtected, len(keys))
	}
	return keys
}

// hubRefLines counts the donor's present lines on its ref at the hub.
func hubRefHas(t *testing.T, w *world, uuid string) int {
	t.Helper()
	repo := filepath.Join(w.data, "shards", "shard-0001.git")
	out, err := git(repo, "grep", "-c", " 1 "+uuid, "refs/heads/donors/"+uuid+"/git-annex", "--", "*.log")
	if err != nil {
		return 0
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		n++
		_ = line
	}
	return n
}

// agentProc is `shardkeeper agent` running until killed or idle.
type agentProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	out  *testkit.SyncBuffer
	err  error
}

func startAgent(t *testing.T, d donor, args ...string) *agentProc {
	t.Helper()
	return startAgentCmd(t, d, append([]string{"agent"}, args...)...)
}

// stop ends the agent as the donor's system would (SIGTERM: it stops the
// git-annex it started), so nothing writes in the test's folders after
// the test; SIGKILL if it has not ended after a minute.
func (p *agentProc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		p.kill9()
	}
}

// kill9 kills the agent with SIGKILL, as a crash or the OOM killer would:
// on Linux the git and git-annex it started get SIGTERM from the kernel
// (childproc.DieWithParent); their own helpers end when their pipes close.
func (p *agentProc) kill9() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// throttled serves dir at rate bytes per second per response (0: fast),
// changeable while it runs.
type throttled struct {
	dir  string
	mu   sync.Mutex
	rate int64
	gets map[string]int
}

func (o *throttled) setRate(r int64) { o.mu.Lock(); o.rate = r; o.mu.Unlock() }

func (o *throttled) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	rate := o.rate
	if o.gets == nil {
		o.gets = map[string]int{}
	}
	o.gets[r.URL.Path]++
	o.mu.Unlock()
	data, err := os.ReadFile(filepath.Join(o.dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	for len(data) > 0 {
		n := len(data)
		if rate > 0 {
			n = min(n, int(max(rate/10, 512)))
		}
		if _, err := w.Write(data[:n]); err != nil {
			return
		}
		data = data[n:]
		if rate > 0 {
			w.(http.Flusher).Flush()
			select {
			case <-time.After(time.Duration(int64(n) * int64(time.Second) / rate)):
			case <-r.Context().Done():
				return
			}
		}
	}
}

// serve runs h on loopback until the test ends and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// partials lists the partial downloads in a donor repository.
func partials(repo string) []string {
	m, _ := filepath.Glob(filepath.Join(repo, ".git", "annex", "tmp", "*"))
	return m
}

// startAgentCmd runs another shardkeeper command on a home, to be killed.
func startAgentCmd(t *testing.T, d donor, args ...string) *agentProc {
	t.Helper()
	p := &agentProc{done: make(chan struct{}), out: &testkit.SyncBuffer{}}
	p.cmd = exec.Command(shardkeeperBin, append(args, "--home", d.home)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		waitNothingRunsIn(t, d.home, d.storage)
	})
	return p
}

// waitNothingRunsIn waits until no process works in dirs (its current
// directory under one of them): what an agent started must end with it,
// or it writes on in folders the test is about to remove.
func waitNothingRunsIn(t *testing.T, dirs ...string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(30 * time.Second); ; {
		left = runningIn(dirs)
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("30 s after the agent ended, these still run in its folders: %s", strings.Join(left, "; "))
	}
}

// runningIn lists "PID command" of the processes whose current directory
// is under one of dirs.
func runningIn(dirs []string) []string {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	var found []string
	for _, p := range procs {
		cwd, err := os.Readlink(filepath.Join(p, "cwd"))
		if err != nil {
			continue
		}
		for _, d := range dirs {
			if cwd == d || strings.HasPrefix(cwd, d+string(filepath.Separator)) {
				cmdline, _ := os.ReadFile(filepath.Join(p, "cmdline"))
				found = append(found, filepath.Base(p)+" "+strings.ReplaceAll(strings.TrimSpace(string(cmdline)), "\x00", " "))
				break
			}
		}
	}
	return found
}

// tryCall is call for goroutines: errors are a status of 0.
func tryCall(method, url, token, body string) (int, string) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, ""
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

func jsonDecode(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func testkitRequire(t *testing.T) { testkit.RequireGitAnnex(t) }
