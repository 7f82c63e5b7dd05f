package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startAgent runs `shardkeeper agent` for a home until stopped or the
// test ends, and waits for its control socket.
func startAgent(t *testing.T, home string, args ...string) (stop func()) {
	t.Helper()
	cmd := exec.Command(shardkeeperBin, append([]string{"agent", "--home", home}, args...)...)
	logf, _ := os.Create(filepath.Join(t.TempDir(), "agent.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("agent log (%s):\n%s", home, b)
		}
	})
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st := status(t, home); st.State != "offline" {
			return stop
		}
	}
	t.Fatalf("the agent for %s did not start", home)
	return stop
}

// TestSnoozeSurvivesRestartAndDonorsKeepApart: `pause --for` holds across
// agent restarts; another donor's CLI on the same machine reaches only its
// own agent.
func TestSnoozeSurvivesRestartAndDonorsKeepApart(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	makeCollection(t, coll, 10, 3)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data)
	a, b := filepath.Join(tmp, "a-home"), filepath.Join(tmp, "b-home")
	for _, h := range []string{a, b} {
		mustRun(t, shardkeeperBin, "join", "--home", h, "--hub", hub, "--storage", h+"-store", "--budget", "10MB")
	}

	r := mustRun(t, shardkeeperBin, "pause", "--home", a, "--for", "30m")
	if !strings.Contains(r.Stdout, "Paused until") {
		t.Errorf("pause --for says %q", r.Stdout)
	}
	stop := startAgent(t, a, "--interval", "1h")
	st := status(t, a)
	if !st.Paused || st.PausedUntil == nil || st.State != "paused" {
		t.Fatalf("snoozed donor after start: %+v", st)
	}
	until := *st.PausedUntil
	stop()
	startAgent(t, a, "--interval", "1h")
	time.Sleep(time.Second)
	st = status(t, a)
	if !st.Paused || st.PausedUntil == nil || *st.PausedUntil != until || st.FilesProtected != 0 {
		t.Errorf("after a restart: paused=%v until=%v (was %s) files=%d", st.Paused, st.PausedUntil, until, st.FilesProtected)
	}

	// Donor b's CLI: its own status, and its resume does not touch a.
	info, err := os.Stat(filepath.Join(a, "agent.sock"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("a's socket: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	var bs struct {
		DonorUUID string `json:"donor_uuid"`
		State     string `json:"state"`
	}
	json.Unmarshal([]byte(mustRun(t, shardkeeperBin, "status", "--home", b, "--json").Stdout), &bs)
	var as struct {
		DonorUUID string `json:"donor_uuid"`
	}
	json.Unmarshal([]byte(mustRun(t, shardkeeperBin, "status", "--home", a, "--json").Stdout), &as)
	if bs.DonorUUID == as.DonorUUID || bs.State != "offline" {
		t.Errorf("b's status %+v shows a's agent (%s)", bs, as.DonorUUID)
	}
	mustRun(t, shardkeeperBin, "resume", "--home", b)
	if !status(t, a).Paused {
		t.Errorf("b's resume resumed a")
	}

	// Another user cannot reach a's agent even with a's home path.
	if os.Geteuid() == 0 {
		otherUser(t, a)
	}

	mustRun(t, shardkeeperBin, "resume", "--home", a)
	waitStatus(t, a, "the fill after resume", func(st statusJSON) bool { return st.FilesProtected == 10 })
}

// otherUser runs the CLI as nobody against a's home, opened up so the
// socket itself is the only guard: its 0600 mode refuses the connection.
func otherUser(t *testing.T, home string) {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "shardkeeper")
	data, _ := os.ReadFile(shardkeeperBin)
	os.WriteFile(bin, data, 0o755)
	os.Chmod(home, 0o711)
	for p := filepath.Dir(home); p != "/"; p = filepath.Dir(p) {
		if info, err := os.Stat(p); err == nil && info.Mode().Perm()&0o001 == 0 {
			os.Chmod(p, info.Mode().Perm()|0o001)
		}
	}
	defer os.Chmod(home, 0o700)
	cmd := exec.Command(bin, "pause", "--home", home)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another user") {
		t.Errorf("another user reached a's agent: %v: %s", err, out)
	}
	t.Logf("another user: %v: %s", err, strings.TrimSpace(string(out)))
}

func waitStatus(t *testing.T, home, what string, cond func(statusJSON) bool) statusJSON {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := status(t, home)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %+v", what, st)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestBudgetFilesReleaseSettingsLeaveCLI drives the CLI verbs: budget
// (with and without a running agent), files, release, settings, log and
// leave, to the end.
func TestBudgetFilesReleaseSettingsLeaveCLI(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	total := makeCollection(t, coll, 20, 4)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data)
	home := filepath.Join(tmp, "home")
	mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", filepath.Join(tmp, "store"),
		"--budget", strconv.FormatInt(total*2, 10))
	mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")
	st := status(t, home)
	if st.FilesProtected != 20 || st.Budget.Binding != "max_bytes" {
		t.Fatalf("after the fill: %+v", st)
	}

	checkFilesCLI(t, home)

	// budget: lowering asks first; without an agent the CLI gives back itself.
	half := st.Budget.Disk.UsedByShardkeeper / 2
	r := run(t, shardkeeperBin, "budget", "--home", home, "--max", strconv.FormatInt(half, 10))
	if r.Code == 0 || !strings.Contains(r.Stdout, "gives back") || !strings.Contains(r.Stderr, "--yes") {
		t.Errorf("lowering without --yes: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if status(t, home).FilesProtected != 20 {
		t.Errorf("files given back without confirmation")
	}
	mustRun(t, shardkeeperBin, "budget", "--home", home, "--max", strconv.FormatInt(half, 10), "--yes")
	st = status(t, home)
	if st.Budget.Disk.UsedByShardkeeper > half || st.BudgetBytes != half {
		t.Errorf("after budget --max %d: %d used, budget %d", half, st.Budget.Disk.UsedByShardkeeper, st.BudgetBytes)
	}
	if out := mustRun(t, shardkeeperBin, "budget", "--home", home).Stdout; !strings.Contains(out, "set by max") || !strings.Contains(out, "--keep-free") {
		t.Errorf("budget:\n%s", out)
	}

	// With the agent running: budget and release go through its API.
	startAgent(t, home, "--interval", "1h")
	quarter := half / 2
	out := mustRun(t, shardkeeperBin, "budget", "--home", home, "--max", strconv.FormatInt(quarter, 10), "--yes").Stdout
	if !strings.Contains(out, "Done") {
		t.Errorf("budget with a running agent:\n%s", out)
	}
	st = status(t, home)
	if st.Budget.Disk.UsedByShardkeeper > quarter {
		t.Errorf("%d used over the budget of %d", st.Budget.Disk.UsedByShardkeeper, quarter)
	}
	victim := heldFiles(t, home).Files[0].Path
	mustRun(t, shardkeeperBin, "release", "--home", home, victim)
	if status(t, home).FilesProtected != st.FilesProtected-1 {
		t.Errorf("release did not give back %s", victim)
	}
	oneLineError(t, "release of a file not held", run(t, shardkeeperBin, "release", "--home", home, victim), "not held")
	if out := mustRun(t, shardkeeperBin, "log", "--home", home, "-n", "50").Stdout; !strings.Contains(out, "Gave back "+victim) {
		t.Errorf("log does not tell the release:\n%s", out)
	}

	checkSettingsCLI(t, home)

	// leave, with the deadline passed at once: everything goes, then the
	// donor deregisters.
	mustRun(t, shardkeeperBin, "leave", "--home", home, "--yes", "--deadline", "0d")
	st = waitStatus(t, home, "leaving to the end", func(st statusJSON) bool { return st.Left })
	if st.FilesProtected != 0 {
		t.Errorf("left with %d files held", st.FilesProtected)
	}
}

// fileList is `files --json`.
type fileList struct {
	Files []struct {
		Path, Key string
		Held      bool
	} `json:"files"`
	Total int `json:"total"`
}

// heldFiles is `files --held --json`.
func heldFiles(t *testing.T, home string) fileList {
	t.Helper()
	var list fileList
	if err := json.Unmarshal([]byte(mustRun(t, shardkeeperBin, "files", "--home", home, "--held", "--json").Stdout), &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// checkFilesCLI: `files` lists the held files, as JSON and filtered.
func checkFilesCLI(t *testing.T, home string) {
	t.Helper()
	if list := heldFiles(t, home); list.Total != 20 || !list.Files[0].Held {
		t.Errorf("files --held --json: %+v", list)
	}
	if out := mustRun(t, shardkeeperBin, "files", "--home", home, "--filter", "ITEM-01").Stdout; strings.Count(out, "item-01/") != 10 || !strings.Contains(out, "HELD") {
		t.Errorf("files --filter:\n%s", out)
	}
}

// checkSettingsCLI: `settings` sets and shows the bandwidth and the
// schedule, and refuses a bad schedule in one line.
func checkSettingsCLI(t *testing.T, home string) {
	t.Helper()
	mustRun(t, shardkeeperBin, "settings", "--home", home, "--bandwidth", "300", "--schedule", "01:00-07:00", "--off-hours-kbps", "50")
	var s struct {
		BandwidthKBps int    `json:"bandwidth_kbps"`
		Schedule      string `json:"schedule"`
		OffHoursKBps  int    `json:"off_hours_kbps"`
	}
	json.Unmarshal([]byte(mustRun(t, shardkeeperBin, "settings", "--home", home, "--json").Stdout), &s)
	if s.BandwidthKBps != 300 || s.Schedule != "01:00-07:00" || s.OffHoursKBps != 50 {
		t.Errorf("settings %+v", s)
	}
	oneLineError(t, "a bad schedule", run(t, shardkeeperBin, "settings", "--home", home, "--schedule", "7pm"), "HH:MM")
}
