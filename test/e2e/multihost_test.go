package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store/storetest"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// hubHost is one `shardhub serve --host-name` process of several sharing
// one database.
type hubHost struct {
	name, addr, url, data, db string
	cmd                       *exec.Cmd
	done                      chan struct{}
	log                       string
}

// hostsHealth is what the multi-host test reads of /api/v1/health.
type hostsHealth struct {
	Shards []struct {
		Name      string         `json:"name"`
		Host      string         `json:"host"`
		Reachable bool           `json:"reachable"`
		Files     int            `json:"files"`
		Copies    map[string]int `json:"copies"`
	} `json:"shards"`
	Hosts []struct {
		Name      string `json:"name"`
		Reachable bool   `json:"reachable"`
		Shards    int    `json:"shards"`
	} `json:"hosts"`
}

// freeAddr is a free port on a loopback address (127.0.0.2 and up work on
// Linux without setup).
func freeAddr(t *testing.T, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s (loopback aliases): %v", ip, err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (h *hubHost) start(t *testing.T) {
	t.Helper()
	h.cmd = exec.Command(shardhubBin, "serve", "--data", h.data, "--db", h.db, "--host-name", h.name,
		"--listen", h.addr, "--public-url", h.url, "--heartbeat-every", "500ms", "--target-copies", "2")
	testkit.StartLogged(t, h.cmd, h.log)
	h.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(h.cmd, h.done)
	waitFor(t, "hub host "+h.name+" to serve", 30*time.Second, func() bool {
		return testkit.Answers(h.url + "/api/v1/health")
	})
}

// kill ends the host at once, as a crash would.
func (h *hubHost) kill() {
	if h.cmd != nil && h.cmd.Process != nil {
		h.cmd.Process.Kill()
		<-h.done
	}
}

func (h *hubHost) health(t *testing.T) hostsHealth {
	t.Helper()
	var hh hostsHealth
	resp, err := http.Get(h.url + "/api/v1/health")
	if err != nil {
		t.Fatalf("health of %s: %v", h.name, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&hh); err != nil {
		t.Fatalf("health of %s: %v", h.name, err)
	}
	return hh
}

// startHosts builds 6 shards of 10 files and serves them from three hosts
// on 127.0.0.2-4, each with a data directory holding two of the shards'
// repositories (the catalog in every one), all sharing one database.
func startHosts(t *testing.T, tmp, coll string) []*hubHost {
	t.Helper()
	build := filepath.Join(tmp, "build")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", build, "--files-per-shard", "10")
	infos, err := shard.ReadCatalog(build)
	if err != nil || len(infos) != 6 {
		t.Fatalf("built %d shards (%v), want 6", len(infos), err)
	}
	db := multihostDB(t, tmp)
	var hosts []*hubHost
	for i, name := range []string{"a", "b", "c"} {
		addr := freeAddr(t, fmt.Sprintf("127.0.0.%d", i+2))
		h := &hubHost{name: name, addr: addr, url: "http://" + addr, data: filepath.Join(tmp, "host-"+name), db: db,
			log: filepath.Join(tmp, "host-"+name+".log")}
		mustRun(t, "cp", "-a", build, h.data)
		for j, info := range infos {
			if j%3 != i {
				os.RemoveAll(shard.RepoDir(h.data, info.Name))
			}
		}
		hosts = append(hosts, h)
		t.Cleanup(func() {
			h.kill()
			if t.Failed() {
				b, _ := os.ReadFile(h.log)
				t.Logf("hub host %s log:\n%s", h.name, b)
			}
		})
		h.start(t)
	}
	return hosts
}

// multihostDB is the database the hosts share: a fresh PostgreSQL
// database when SHARDKEEPER_TEST_POSTGRES names a server (and always in
// CI), else one SQLite file (processes on one machine share it in WAL mode).
func multihostDB(t *testing.T, tmp string) string {
	t.Helper()
	if os.Getenv(storetest.EnvPostgres) != "" || os.Getenv("CI") != "" {
		return storetest.PostgresURL(t)
	}
	t.Logf("%s is not set: the hosts share a SQLite file", storetest.EnvPostgres)
	return filepath.Join(tmp, "shared-hub.db")
}

// TestThreeHubHosts is issue 15's acceptance: three hub hosts, one
// database, six donors with real git-annex. Registration through any host
// spreads the donors over the shards of every host; a host killed leaves
// registration and the other shards working while the page marks its
// shards unreachable, and its donors work offline; restarted, it serves
// them again with nothing lost; a shard placed on another host while its
// donor pushes keeps every push.
func TestThreeHubHosts(t *testing.T) {
	requireGitAnnex(t)
	start := time.Now()
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	total := makeCollection(t, coll, 60, 15)
	hosts := startHosts(t, tmp, coll)
	a := hosts[0]
	waitFor(t, "every host to see the three hosts and six shards placed", 30*time.Second, func() bool {
		hh := a.health(t)
		placed := 0
		for _, s := range hh.Shards {
			if s.Host != "" && s.Reachable {
				placed++
			}
		}
		return len(hh.Hosts) == 3 && placed == 6
	})
	t.Logf("%s: three hosts serving", since(start))
	donors := joinSix(t, tmp, hosts, total)
	checkSpread(t, hosts, donors)
	checkCopies(t, a, 60)
	t.Logf("%s: six donors joined and filled", since(start))

	killC(t, tmp, hosts, donors, total, start)
	restartC(t, hosts, donors, start)
	checkCopies(t, a, 60)
	placeWhilePushing(t, hosts, donors)
	t.Logf("%s: shard moved with every push", since(start))
}

// killC kills host c: registration and the other shards go on; c's shards
// are marked unreachable; its donors work offline.
func killC(t *testing.T, tmp string, hosts []*hubHost, donors []multiDonor, total int64, start time.Time) {
	t.Helper()
	a, c := hosts[0], hosts[2]
	c.kill()
	waitFor(t, "host c's shards to be marked unreachable", 30*time.Second, func() bool {
		hh := a.health(t)
		for _, s := range hh.Shards {
			if s.Host == "c" && s.Reachable {
				return false
			}
		}
		for _, h := range hh.Hosts {
			if h.Name == "c" {
				return !h.Reachable
			}
		}
		return false
	})
	checkPageUnreachable(t, a)
	t.Logf("%s: host c killed and marked unreachable", since(start))
	late, _ := joinDonor(t, tmp, hosts[1].url, "late", 4*total)
	if sh := status(t, late).Shards[0].Name; hostOf(t, a, sh) == "c" {
		t.Errorf("a donor registered while host c is away got %s, a shard of c", sh)
	}
	var mu sync.Mutex
	var offline []string
	parallel(t, len(donors), func(i int) testkit.Result {
		d := donors[i]
		r := run(t, shardkeeperBin, "verify", "--home", d.home)
		if d.host == "c" && r.Code <= 1 {
			mu.Lock()
			offline = append(offline, d.shard)
			mu.Unlock()
			r.Code = 0 // worked offline: verified, the report waits for c
		}
		return r
	})
	t.Logf("%s: donors of %v (host c away) verified offline", since(start), offline)

}

// restartC restarts host c: it serves its shards again and nothing was
// lost.
func restartC(t *testing.T, hosts []*hubHost, donors []multiDonor, start time.Time) {
	t.Helper()
	a, c := hosts[0], hosts[2]
	c.start(t)
	waitFor(t, "host c to be reachable again", 30*time.Second, func() bool {
		for _, s := range a.health(t).Shards {
			if s.Host == "c" && !s.Reachable {
				return false
			}
		}
		return true
	})
	parallel(t, len(donors), func(i int) testkit.Result {
		if donors[i].host != "c" {
			return testkit.Result{}
		}
		return run(t, shardkeeperBin, "agent", "--home", donors[i].home, "--until-idle")
	})
	for _, d := range donors {
		checkPushed(t, hosts, d)
	}
	t.Logf("%s: host c back, every donor's last push on its host", since(start))
}

func since(start time.Time) string { return time.Since(start).Round(time.Second).String() }

// multiDonor is one donor of the multi-host test.
type multiDonor struct {
	home, repo, shard, host, uuid string
}

// joinSix joins six donors, two through each host, and runs each until
// idle (in parallel): every file gets one copy.
func joinSix(t *testing.T, tmp string, hosts []*hubHost, total int64) []multiDonor {
	t.Helper()
	donors := make([]multiDonor, 6)
	parallel(t, len(donors), func(i int) testkit.Result {
		donors[i].home = filepath.Join(tmp, fmt.Sprintf("donor%d-home", i))
		return run(t, shardkeeperBin, "join", "--home", donors[i].home, "--hub", hosts[i%3].url,
			"--storage", filepath.Join(tmp, fmt.Sprintf("donor%d-store", i)), "--budget", fmt.Sprint(4*total))
	})
	for i := range donors {
		d := &donors[i]
		st := status(t, d.home)
		d.repo, d.shard, d.uuid = st.Shards[0].Path, st.Shards[0].Name, readDonor(t, d.home).DonorUUID
		d.host = hostOf(t, hosts[0], d.shard)
	}
	parallel(t, len(donors), func(i int) testkit.Result {
		return run(t, shardkeeperBin, "agent", "--home", donors[i].home, "--until-idle")
	})
	return donors
}

// parallel runs n commands at once and fails the test when one fails.
func parallel(t *testing.T, n int, cmd func(i int) testkit.Result) {
	t.Helper()
	results := make([]testkit.Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = cmd(i) }()
	}
	wg.Wait()
	for i, r := range results {
		if r.Code != 0 {
			t.Fatalf("command %d of %d: exit %d\n%s%s", i+1, n, r.Code, r.Stdout, r.Stderr)
		}
	}
}

// hostOf is the host serving a shard, as a hub host says.
func hostOf(t *testing.T, h *hubHost, name string) string {
	t.Helper()
	for _, s := range h.health(t).Shards {
		if s.Name == name {
			return s.Host
		}
	}
	t.Fatalf("no shard %s in the health of %s", name, h.name)
	return ""
}

// checkSpread: the six donors hold six different shards, two on each
// host, and each cloned from the host that serves its shard.
func checkSpread(t *testing.T, hosts []*hubHost, donors []multiDonor) {
	t.Helper()
	shards, perHost := map[string]bool{}, map[string]int{}
	urls := map[string]string{}
	for _, h := range hosts {
		urls[h.name] = h.url
	}
	for _, d := range donors {
		shards[d.shard] = true
		perHost[d.host]++
		origin, err := gitOut(d.repo, "remote", "get-url", "origin")
		if want := urls[d.host] + "/git/" + d.shard + ".git"; err != nil || strings.TrimSpace(origin) != want {
			t.Errorf("donor of %s cloned from %q, want %s (host %s)", d.shard, strings.TrimSpace(origin), want, d.host)
		}
	}
	t.Logf("donors per host: %v", perHost)
	if len(shards) != 6 || perHost["a"] != 2 || perHost["b"] != 2 || perHost["c"] != 2 {
		t.Fatalf("donors spread over %d shards, per host %v; want 6 shards, 2 donors on each host", len(shards), perHost)
	}
}

// checkCopies: every file of every shard, on every host, has a donor copy,
// as one host's health (read from the shared database) says.
func checkCopies(t *testing.T, h *hubHost, files int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d files with a copy on %s's health", files, h.name), 30*time.Second, func() bool {
		n := 0
		for _, s := range h.health(t).Shards {
			n += s.Files - s.Copies["0"]
		}
		return n == files
	})
}

func checkPageUnreachable(t *testing.T, h *hubHost) {
	t.Helper()
	resp, err := http.Get(h.url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(page), "unreachable: host c is away") || !strings.Contains(string(page), "Hub hosts") {
		t.Errorf("the health page does not mark host c's shards unreachable:\n%s", page)
	}
}

// checkPushed: the hub host serving the donor's shard has the donor's ref
// at the tip the donor last pushed.
func checkPushed(t *testing.T, hosts []*hubHost, d multiDonor) {
	t.Helper()
	pushed, err := gitOut(d.repo, "rev-parse", "refs/remotes/origin/donors/"+d.uuid+"/git-annex")
	if err != nil {
		t.Fatalf("the donor of %s never pushed: %v %s", d.shard, err, pushed)
	}
	host := hostOf(t, hosts[0], d.shard)
	for _, h := range hosts {
		if h.name != host {
			continue
		}
		have, err := gitOut(shard.RepoDir(h.data, d.shard), "rev-parse", "refs/heads/donors/"+d.uuid+"/git-annex")
		if err != nil || strings.TrimSpace(have) != strings.TrimSpace(pushed) {
			t.Errorf("host %s has the donor's ref of %s at %q, the donor pushed %q: a push was lost", host, d.shard, strings.TrimSpace(have), strings.TrimSpace(pushed))
		}
	}
}

// placeWhilePushing moves a shard of host a to host b while its donor
// pushes again and again: every push lands on a before the mirror, or is
// refused and sent again; after the move b has what the donor last pushed,
// a redirects to b, and the donor's next push goes to b.
func placeWhilePushing(t *testing.T, hosts []*hubHost, donors []multiDonor) {
	t.Helper()
	a, b := hosts[0], hosts[1]
	var d multiDonor
	for _, d = range donors {
		if d.host == "a" {
			break
		}
	}
	placed := make(chan testkit.Result, 1)
	go func() {
		placed <- run(t, shardhubBin, "shards", "place", d.shard, "--host", "b", "--db", a.db, "--wait", "2m")
	}()
	pushes, failed := 0, 0
	var moved testkit.Result
	for done := false; !done; {
		select {
		case moved = <-placed:
			done = true
		default:
			if r := run(t, shardkeeperBin, "verify", "--home", d.home); r.Code != 0 {
				failed++
			}
			pushes++
		}
	}
	t.Logf("the donor of %s verified and pushed %d times during the move (%d refused or not finished)", d.shard, pushes, failed)
	if moved.Code != 0 {
		t.Fatalf("shards place: exit %d\n%s%s", moved.Code, moved.Stdout, moved.Stderr)
	}
	t.Logf("shards place: %s", strings.TrimSpace(moved.Stdout))
	if _, err := os.Stat(shard.RepoDir(b.data, d.shard)); err != nil {
		t.Fatalf("host b has no repository of %s after the move: %v", d.shard, err)
	}
	checkPushed(t, hosts, d) // nothing the donor pushed to a was lost
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(a.url + "/git/" + d.shard + ".git/info/refs?service=git-upload-pack")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusTemporaryRedirect || !strings.HasPrefix(loc, b.url+"/git/") {
		t.Errorf("host a answers a fetch of the moved shard with %d %q, want a redirect to %s", resp.StatusCode, loc, b.url)
	}
	untilIdle(t, d.home)
	origin, _ := gitOut(d.repo, "remote", "get-url", "origin")
	if want := b.url + "/git/" + d.shard + ".git"; strings.TrimSpace(origin) != want {
		t.Errorf("the donor's origin is %q after the move, want %s", strings.TrimSpace(origin), want)
	}
	checkPushed(t, hosts, d)
	checkCopies(t, b, 60)
}
