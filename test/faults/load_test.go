//go:build faults

package faults

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
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
// docs/benchmarks.md); by default (CI) 25 donors that push once each.
func loadSize(t *testing.T) (int, time.Duration) {
	n, d := 25, time.Duration(0)
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

// push commits present lines for n random keys (hostile: one line for
// someone else's UUID too) on the donor's git-annex branch and pushes it.
func (d *loadDonor) push(hub string, logs []string, rng *rand.Rand, n int) (bool, error) {
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(d.dir, "load-index"),
		"GIT_AUTHOR_NAME=load", "GIT_AUTHOR_EMAIL=load@example.invalid",
		"GIT_COMMITTER_NAME=load", "GIT_COMMITTER_EMAIL=load@example.invalid"}
	if _, err := gitIn(d.dir, env, "", "read-tree", d.tip); err != nil {
		return false, err
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
			return false, err
		}
		if _, err := gitIn(d.dir, env, "", "update-index", "--cacheinfo", "100644,"+sha+","+p); err != nil {
			return false, err
		}
	}
	tree, err := gitIn(d.dir, env, "", "write-tree")
	if err != nil {
		return false, err
	}
	commit, err := gitIn(d.dir, env, "", "commit-tree", tree, "-p", d.tip, "-m", "update")
	if err != nil {
		return false, err
	}
	_, err = gitIn(d.dir, nil, "", "-c", "http.extraHeader=Authorization: Bearer "+d.token,
		"push", "--quiet", hub+"/git/shard-0001.git", commit+":refs/heads/donors/"+d.uuid+"/git-annex")
	if err != nil {
		return false, nil // refused (or failed): the caller checks which was right
	}
	d.tip = commit
	return true, nil
}

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
// stays bounded.
func TestManyDonorsPushing(t *testing.T) {
	t.Parallel()
	donors, dur := loadSize(t)
	w := newWorld(t, 300, 512, nil, "--register-limit", "-1")
	ds, logs := loadDonors(t, w, donors)

	pid := w.hub.cmd.Process.Pid
	startRSS := rss(pid)
	maxRSS, stopSampling := sampleRSS(pid)

	deadline := time.Now().Add(dur)
	var accepted, refused, wrong atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for i, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(i)))
			for first := true; first || time.Now().Before(deadline); first = false {
				t0 := time.Now()
				ok, err := d.push(w.hub.url, logs, rng, 1+rng.Intn(5))
				if err != nil {
					t.Errorf("donor %d: %v", i, err)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
				switch {
				case ok == d.hostile:
					wrong.Add(1)
					t.Errorf("donor %d (hostile %v): push accepted=%v", i, d.hostile, ok)
				case ok:
					accepted.Add(1)
				default:
					refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopSampling()

	// None lost: each donor's ref at the hub is its last accepted push.
	repo := filepath.Join(w.data, "shards", "shard-0001.git")
	for i, d := range ds {
		got, _ := gitIn(repo, nil, "", "rev-parse", "--verify", "-q", "refs/heads/donors/"+d.uuid+"/git-annex")
		if d.hostile && got != "" {
			t.Errorf("hostile donor %d has a ref at the hub", i)
		}
		if !d.hostile && got != d.tip {
			t.Errorf("donor %d: the hub's ref is %q, its last accepted push %s", i, got, d.tip)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(time.Millisecond) }
	t.Logf("LOAD donors=%d duration=%v pushes=%d accepted=%d refused=%d wrong=%d pushes_per_s=%.1f p50=%v p95=%v max=%v hub_rss_start_kib=%d hub_rss_max_kib=%d",
		donors, elapsed.Round(time.Second), len(lat), accepted.Load(), refused.Load(), wrong.Load(),
		float64(len(lat))/elapsed.Seconds(), pct(0.5), pct(0.95), pct(1), startRSS, maxRSS.Load())
	if max := maxRSS.Load(); max > 512<<10 {
		t.Errorf("the hub grew to %d MiB under %d donors pushing", max>>10, donors)
	}
	if accepted.Load() == 0 || refused.Load() == 0 {
		t.Errorf("%d accepted, %d refused: the load did not exercise both", accepted.Load(), refused.Load())
	}
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

// sampleRSS records a process's peak resident memory until stop is called.
func sampleRSS(pid int) (*atomic.Int64, func()) {
	var maxRSS atomic.Int64
	done := make(chan struct{})
	go func() {
		for {
			if r := rss(pid); r > maxRSS.Load() {
				maxRSS.Store(r)
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return &maxRSS, func() { close(done) }
}
