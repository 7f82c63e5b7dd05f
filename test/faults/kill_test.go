//go:build faults

package faults

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestAgentSIGKILL kills the agent with SIGKILL mid-download, at moments
// spread over a fill and its pushes, mid-drop (a lowered budget) and
// mid-verification, restarting it each time. At the end: git-annex fsck
// is clean, no git lock blocks work, status counts what git-annex holds
// (no object counted twice or half-written), and the hub has the donor's
// report of every file it holds.
func TestAgentSIGKILL(t *testing.T) {
	t.Parallel()
	o := &throttled{rate: 40 << 10}
	w := newWorld(t, 24, 48<<10, func(dir string) string { o.dir = dir; return serve(t, o) })
	d := w.join(t, "crashy", 10<<20)
	conf := readDonor(t, d)

	// Mid-download: a partial file is on disk when the agent dies.
	a := startAgent(t, d, "--interval", "1s", "--batch", "3")
	var repo string
	waitFor(t, "a partial download", 5*time.Minute, func() bool {
		st, _ := status(t, d)
		if len(st.Shards) > 0 {
			repo = st.Shards[0].Path
		}
		return repo != "" && len(partials(repo)) > 0
	})
	a.kill9()
	t.Logf("killed mid-download with %d partial files", len(partials(repo)))

	// Spread over the fill and its pushes (a push every 3 files): each
	// time two more files have arrived, and a download is under way.
	for i := 0; i < 5; i++ {
		before, _ := status(t, d)
		a = startAgent(t, d, "--interval", "1s", "--batch", "3")
		waitFor(t, "two more files", 5*time.Minute, func() bool {
			st, _ := status(t, d)
			return st.FilesProtected >= before.FilesProtected+2 || st.FilesProtected == int64(len(w.paths))
		})
		a.kill9()
		st, _ := status(t, d)
		t.Logf("kill %d: %d files held", i+1, st.FilesProtected)
	}

	// Let it finish fast, then kill it mid-drop: a budget for half.
	o.setRate(0)
	mustRun(t, shardkeeperBin, "agent", "--home", d.home, "--until-idle")
	full, _ := status(t, d)
	a = startAgent(t, d, "--interval", "1s")
	testkit.ContentBudget(t, shardkeeperBin, d.home, 500<<10)
	waitFor(t, "the drop to start", 30*time.Second, func() bool {
		st, _ := status(t, d)
		return st.FilesProtected < full.FilesProtected
	})
	a.kill9()

	// Mid-verification: `shardkeeper verify` runs it in-process, reading
	// the objects itself; at 64 KiB/s it is still reading when killed.
	testkit.ContentBudget(t, shardkeeperBin, d.home, 10<<20)
	mustRun(t, shardkeeperBin, "agent", "--home", d.home, "--until-idle")
	mustRun(t, shardkeeperBin, "settings", "--home", d.home, "--verify-kbps", "64")
	v := startAgentCmd(t, d, "verify")
	waitFor(t, "verification to check files", 2*time.Minute, func() bool {
		select {
		case <-v.done:
			return true // done before the kill could land: nothing to check
		default:
			return hasOpen(v.cmd.Process.Pid, "/annex/objects/")
		}
	})
	reading := hasOpen(v.cmd.Process.Pid, "/annex/objects/")
	v.kill9()
	t.Logf("killed verify (reading an object: %v)", reading)
	mustRun(t, shardkeeperBin, "settings", "--home", d.home, "--verify-kbps", "0")

	// Restart: everything is consistent and the report lands.
	mustRun(t, shardkeeperBin, "agent", "--home", d.home, "--until-idle")
	keys := repoClean(t, d)
	if len(keys) != len(w.paths) {
		t.Errorf("after the crashes the donor holds %d of %d files (budget for all)", len(keys), len(w.paths))
	}
	if n := hubRefHas(t, w, conf.DonorUUID); n != len(keys) {
		t.Errorf("the hub has the donor's report for %d files, it holds %d", n, len(keys))
	}
}

// hasOpen says whether a process has an annexed object open (.../KEY/KEY)
// whose path contains part: verification reads the objects.
func hasOpen(pid int, part string) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		target, err := os.Readlink(dir + "/" + e.Name())
		if err == nil && strings.Contains(target, part) && filepath.Base(filepath.Dir(target)) == filepath.Base(target) {
			return true
		}
	}
	return false
}
