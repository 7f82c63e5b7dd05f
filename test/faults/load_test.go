//go:build faults

package faults

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadSize is how many donors push and for how long:
// SHARDKEEPER_LOAD_DONORS and SHARDKEEPER_LOAD_DURATION (100 and 3m for
// docs/benchmarks.md); by default (CI) 10 donors that push once each.
func loadSize(t *testing.T) (int, time.Duration) {
	n, d := 10, time.Duration(0)
	if s := os.Getenv("SHARDKEEPER_LOAD_DONORS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 10 {
			t.Fatalf("SHARDKEEPER_LOAD_DONORS=%q: want a number of at least 10", s)
		}
	}
	if s := os.Getenv("SHARDKEEPER_LOAD_DURATION"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("SHARDKEEPER_LOAD_DURATION=%q: %v", s, err)
		}
	}
	return n, d
}

// gitIn runs git in dir with extra environment.
func gitIn(dir string, env []string, stdin string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// loadDonor is one donor of the load test: a clone and its branch tip.
type loadDonor struct {
	uuid, token, dir, tip string
	hostile               bool
}

// commit makes the donor's next commit: present lines for n random keys
// (hostile: one line for someone else's UUID too) on its git-annex branch.
func (d *loadDonor) commit(logs []string, rng *rand.Rand, n int) (string, error) {
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(d.dir, "load-index"),
		"GIT_AUTHOR_NAME=load", "GIT_AUTHOR_EMAIL=load@example.invalid",
		"GIT_COMMITTER_NAME=load", "GIT_COMMITTER_EMAIL=load@example.invalid"}
	if _, err := gitIn(d.dir, env, "", "read-tree", d.tip); err != nil {
		return "", err
	}
	now := time.Now()
	for i := 0; i < n; i++ {
		p := logs[rng.Intn(len(logs))]
		old, _ := gitIn(d.dir, nil, "", "cat-file", "-p", d.tip+":"+p)
		who := d.uuid
		if d.hostile && i == 0 {
			who = "11111111-2222-3333-4444-555555555555"
		}
		line := fmt.Sprintf("%d.%09ds 1 %s\n", now.Unix(), now.Nanosecond()+i, who)
		sha, err := gitIn(d.dir, nil, old+"\n"+line, "hash-object", "-w", "--stdin")
		if err != nil {
			return "", err
		}
		if _, err := gitIn(d.dir, env, "", "update-index", "--cacheinfo", "100644,"+sha+","+p); err != nil {
			return "", err
		}
	}
	tree, err := gitIn(d.dir, env, "", "write-tree")
	if err != nil {
		return "", err
	}
	return gitIn(d.dir, env, "", "commit-tree", tree, "-p", d.tip, "-m", "update")
}

// push pushes commit to the donor's ref at the hub, with the agent's push
// timeout; false when the hub refused it (or it failed: the caller checks
// which was right) or the time ran out.
func (d *loadDonor) push(hub, commit string) (ok, timedOut bool) {
	ctx, cancel := context.WithTimeout(context.Background(), agentPushTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "-c", "http.extraHeader=Authorization: Bearer "+d.token,
		"push", "--quiet", hub+"/git/shard-0001.git", commit+":refs/heads/donors/"+d.uuid+"/git-annex")
	cmd.Dir = d.dir
	if err := cmd.Run(); err != nil {
		return false, ctx.Err() != nil
	}
	d.tip = commit
	return true, false
}

// agentPushTimeout is how long the agent gives a push (agent/report).
const agentPushTimeout = 2 * time.Minute

// rss reads a process's resident memory in KiB.
func rss(pid int) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// TestManyDonorsPushing: many donors (goroutines) push git-annex branches
// through the real hub at once (loadSize): every honest push is
// accepted, every hostile one refused, none lost, and the hub's memory
// (its own and its git processes') stays bounded. Each donor's commit is
// made before the clock starts, so the pushes start together and their
// times are the hub's.
func TestManyDonorsPushing(t *testing.T) {
	t.Parallel()
	donors, dur := loadSize(t)
	w := newWorld(t, 300, 512, nil, "--register-limit", "-1")
	ds, logs := loadDonors(t, w, donors)
	base := ds[0].tip
	rngs := make([]*rand.Rand, len(ds))
	for i := range rngs {
		rngs[i] = rand.New(rand.NewSource(int64(i)))
	}
	next := make([]string, len(ds))
	forEach(len(ds), runtime.NumCPU(), func(i int) {
		var err error
		if next[i], err = ds[i].commit(logs, rngs[i], 1+rngs[i].Intn(5)); err != nil {
			t.Errorf("donor %d: %v", i, err)
		}
	})

	pid := w.hub.cmd.Process.Pid
	startRSS, cpu0 := rss(pid), procCPU(pid)
	maxRSS, maxTree, stopSampling := sampleRSS(pid)
	var l loadResult
	late := make([]string, len(ds)) // a push that timed out may land later
	deadline := time.Now().Add(dur)
	start := time.Now()
	forEach(len(ds), len(ds), func(i int) {
		d := ds[i]
		for first := true; first || time.Now().Before(deadline); first = false {
			if !first {
				var err error
				if next[i], err = d.commit(logs, rngs[i], 1+rngs[i].Intn(5)); err != nil {
					t.Errorf("donor %d: %v", i, err)
					return
				}
			}
			t0 := time.Now()
			ok, timedOut := d.push(w.hub.url, next[i])
			if timedOut {
				late[i] = next[i]
			}
			if l.add(time.Since(t0), ok, timedOut, d.hostile) {
				t.Errorf("donor %d (hostile %v): push accepted=%v", i, d.hostile, ok)
			}
		}
	})
	elapsed := time.Since(start)
	stopSampling()
	cpu := procCPU(pid) - cpu0

	// None lost: each donor's ref at the hub is its last accepted push
	// (or one that timed out after it, which the hub may have taken).
	repo := filepath.Join(w.data, "shards", "shard-0001.git")
	for i, d := range ds {
		got, _ := gitIn(repo, nil, "", "rev-parse", "--verify", "-q", "refs/heads/donors/"+d.uuid+"/git-annex")
		if d.hostile && got != "" {
			t.Errorf("hostile donor %d has a ref at the hub", i)
		}
		want := d.tip
		if want == base {
			want = "" // no push accepted: no ref
		}
		if !d.hostile && got != want && (late[i] == "" || got != late[i]) {
			t.Errorf("donor %d: the hub's ref is %q, its last accepted push %s", i, got, d.tip)
		}
	}
	t.Logf("LOAD donors=%d duration=%v %s hub_cpu_per_push=%v hub_rss_start_kib=%d hub_rss_max_kib=%d hub_tree_rss_max_kib=%d",
		donors, elapsed.Round(time.Second), l.summary(elapsed), (cpu / time.Duration(max(1, len(l.lat)))).Round(time.Millisecond),
		startRSS, maxRSS.Load(), maxTree.Load())
	if max := maxRSS.Load(); max > 512<<10 {
		t.Errorf("the hub grew to %d MiB under %d donors pushing", max>>10, donors)
	}
	if l.accepted == 0 || l.refused == 0 {
		t.Errorf("%d accepted, %d refused: the load did not exercise both", l.accepted, l.refused)
	}
}

// loadResult counts the load test's pushes.
type loadResult struct {
	mu                                 sync.Mutex
	lat                                []time.Duration
	accepted, refused, wrong, timedOut int
}

// add counts one push; true when its outcome was wrong.
func (l *loadResult) add(d time.Duration, ok, timedOut, hostile bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lat = append(l.lat, d)
	switch {
	case timedOut:
		l.timedOut++
	case ok == hostile:
		l.wrong++
		return true
	case ok:
		l.accepted++
	default:
		l.refused++
	}
	return false
}

func (l *loadResult) summary(elapsed time.Duration) string {
	sort.Slice(l.lat, func(i, j int) bool { return l.lat[i] < l.lat[j] })
	pct := func(p float64) time.Duration { return l.lat[int(p*float64(len(l.lat)-1))].Round(time.Millisecond) }
	return fmt.Sprintf("pushes=%d accepted=%d refused=%d wrong=%d over_agent_timeout=%d pushes_per_s=%.1f p50=%v p95=%v max=%v",
		len(l.lat), l.accepted, l.refused, l.wrong, l.timedOut, float64(len(l.lat))/elapsed.Seconds(), pct(0.5), pct(0.95), pct(1))
}

// forEach runs f(0..n-1), at most par at a time, and waits.
func forEach(n, par int, f func(i int)) {
	sem := make(chan struct{}, max(1, par))
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

// loadDonors registers n donors, each with its own bare clone of the
// shard, and returns them and the location logs of the shard's branch.
func loadDonors(t *testing.T, w *world, n int) ([]*loadDonor, []string) {
	t.Helper()
	tmpl := filepath.Join(w.dir, "template")
	if out, err := gitIn(w.dir, nil, "", "clone", "--quiet", "--bare", w.hub.url+"/git/shard-0001.git", tmpl); err != nil {
		t.Fatalf("clone: %v %s", err, out)
	}
	base, _ := gitIn(tmpl, nil, "", "rev-parse", "refs/heads/git-annex")
	list, _ := gitIn(tmpl, nil, "", "ls-tree", "-r", "--name-only", base)
	var logs []string
	for _, p := range strings.Split(list, "\n") {
		if strings.HasSuffix(p, ".log") && strings.Count(p, "/") == 2 {
			logs = append(logs, p)
		}
	}
	if len(logs) < 100 {
		t.Fatalf("only %d location logs on the branch", len(logs))
	}
	ds := make([]*loadDonor, n)
	for i := range ds {
		uuid, token, code := register(t, w.hub.url)
		if code != 201 {
			t.Fatalf("register donor %d: %d", i, code)
		}
		dir := filepath.Join(w.dir, fmt.Sprintf("donor-%03d", i))
		if out, err := gitIn(w.dir, nil, "", "clone", "--quiet", "--bare", "--local", tmpl, dir); err != nil {
			t.Fatalf("clone: %v %s", err, out)
		}
		ds[i] = &loadDonor{uuid: uuid, token: token, dir: dir, tip: base, hostile: i%10 == 9}
	}

	return ds, logs
}

// sampleRSS records a process's peak resident memory, and that of it with
// its descendants (the git processes and audit hooks it runs), until stop
// is called.
func sampleRSS(pid int) (self, tree *atomic.Int64, stop func()) {
	self, tree = &atomic.Int64{}, &atomic.Int64{}
	done := make(chan struct{})
	go func() {
		for {
			if r := rss(pid); r > self.Load() {
				self.Store(r)
			}
			if r := treeRSS(pid); r > tree.Load() {
				tree.Store(r)
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return self, tree, func() { close(done) }
}

// treeRSS is the resident memory of pid and its descendants in KiB.
func treeRSS(pid int) int64 {
	parent := map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i > 0 {
			if f := strings.Fields(s[i+1:]); len(f) > 1 {
				parent[p], _ = strconv.Atoi(f[1])
			}
		}
	}
	var total int64
	for p := range parent {
		for q := p; q > 1; q = parent[q] {
			if q == pid {
				total += rss(p)
				break
			}
		}
	}
	return total
}

// procCPU is a process's CPU time with that of its waited-for children.
func procCPU(pid int) time.Duration {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	var ticks int64
	for _, j := range []int{11, 12, 13, 14} { // utime stime cutime cstime
		if j < len(f) {
			n, _ := strconv.ParseInt(f[j], 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ 100
}
