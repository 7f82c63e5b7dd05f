package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// locationsJSON reads status --json's locations as raw JSON, so a null
// last_verified is told from a missing one.
func locationsJSON(t *testing.T, home string) []map[string]any {
	t.Helper()
	var st struct {
		Locations []map[string]any `json:"locations"`
	}
	r := mustRun(t, shardkeeperBin, "status", "--home", home, "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.Stdout)
	}
	return st.Locations
}

// joinedDonor builds a collection of n files, serves it as a hub, and
// joins a donor with room for all of it.
func joinedDonor(t *testing.T, n int) (tmp, home, storage string) {
	t.Helper()
	requireGitAnnex(t)
	tmp = t.TempDir()
	coll := filepath.Join(tmp, "collection")
	total := makeCollection(t, coll, n, 7)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data)
	home, storage = filepath.Join(tmp, "home"), filepath.Join(tmp, "store")
	mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", storage, "--budget", "1")
	// A megabyte more for the repository's loose objects: verification,
	// its repair and the pushes each commit to git-annex's branch, beyond
	// the megabyte of them the growth room covers (the agent never packs).
	contentBudget(t, home, total*2+int64(n)*fileGrowth+1<<20)
	return tmp, home, storage
}

// TestVerifyCLIAndStorageLocations: `verify` (no agent running) finds a
// corrupted file, says so with exit status 1 and fetches it again; status
// --json shows last_verified null before and a time after; `storage`
// adds, lists and removes a second location.
func TestVerifyCLIAndStorageLocations(t *testing.T) {
	tmp, home, storage := joinedDonor(t, 6)
	mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")

	locs := locationsJSON(t, home)
	if len(locs) != 1 || locs[0]["path"] != storage || locs[0]["online"] != true {
		t.Fatalf("locations %v", locs)
	}
	if v, ok := locs[0]["last_verified"]; !ok || v != nil {
		t.Fatalf("last_verified before any verification: %v (present: %v), want null", v, ok)
	}
	if _, err := time.Parse(time.RFC3339, locs[0]["next_verification"].(string)); err != nil {
		t.Errorf("next_verification: %v", err)
	}

	st := status(t, home)
	repo := st.Shards[0].Path
	keys := heldKeys(t, repo)
	if len(keys) != 6 {
		t.Fatalf("held %d files, want 6", len(keys))
	}
	cmd := exec.Command("git", "annex", "contentlocation", keys[0])
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(repo, strings.TrimSpace(string(out)))
	os.Chmod(filepath.Dir(obj), 0o755)
	os.Chmod(obj, 0o644)
	if err := os.WriteFile(obj, []byte("not what the archive has"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := run(t, shardkeeperBin, "verify", "--home", home)
	if r.Code != 1 || !strings.Contains(r.Stdout, "Checked 6 files: 1 problem found.") ||
		!strings.Contains(r.Stdout, "bad or missing:") || !strings.Contains(r.Stdout, "Repair: fetched them again") {
		t.Fatalf("verify with a corrupted file: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := heldKeys(t, repo); len(got) != 6 {
		t.Errorf("after the repair %d files held, want 6", len(got))
	}
	locs = locationsJSON(t, home)
	if v, _ := locs[0]["last_verified"].(string); v == "" {
		t.Fatalf("last_verified after verification: %v", locs[0]["last_verified"])
	} else if _, err := time.Parse(time.RFC3339, v); err != nil {
		t.Errorf("last_verified %q: %v", v, err)
	}
	r = mustRun(t, shardkeeperBin, "verify", "--home", home)
	if !strings.Contains(r.Stdout, "Checked 6 files: 0 problems found.") {
		t.Errorf("verify after the repair: %s", r.Stdout)
	}

	// With an agent running, verify goes through it and waits for its report.
	stop := startAgent(t, home)
	r = mustRun(t, shardkeeperBin, "verify", "--home", home)
	stop()
	if !strings.Contains(r.Stdout, "Checked 6 files: 0 problems found.") {
		t.Errorf("verify through the agent: %s", r.Stdout)
	}

	second := filepath.Join(tmp, "usb")
	mustRun(t, shardkeeperBin, "storage", "add", second, "--home", home, "--budget", "10MB")
	if _, err := os.Stat(filepath.Join(second, ".shardkeeper-location.json")); err != nil {
		t.Errorf("no marker in the added storage: %v", err)
	}
	r = mustRun(t, shardkeeperBin, "storage", "list", "--home", home)
	if !strings.Contains(r.Stdout, second) || !strings.Contains(r.Stdout, storage) {
		t.Errorf("storage list:\n%s", r.Stdout)
	}
	if locs = locationsJSON(t, home); len(locs) != 2 || locs[1]["path"] != second {
		t.Errorf("locations after add: %v", locs)
	}
	oneLineError(t, "remove the main storage", run(t, shardkeeperBin, "storage", "remove", storage, "--home", home), "main storage")
	mustRun(t, shardkeeperBin, "storage", "remove", second, "--home", home)
	if locs = locationsJSON(t, home); len(locs) != 1 {
		t.Errorf("locations after remove: %v", locs)
	}
}

// TestStartAtLoginSetting: the start_at_login setting installs the agent
// at login and removes it again: a systemd user unit (against a fake
// systemctl) or, with no service manager, the desktop autostart entry.
func TestStartAtLoginSetting(t *testing.T) {
	tmp, home, _ := joinedDonor(t, 1)

	fake := filepath.Join(tmp, "bin")
	os.MkdirAll(fake, 0o755)
	os.WriteFile(filepath.Join(fake, "systemctl"), []byte("#!/bin/sh\necho \"$@\" >> "+filepath.Join(tmp, "systemctl.log")+"\n"), 0o755)
	userHome := filepath.Join(tmp, "user")
	settings := func(on string) string {
		cmd := exec.Command(shardkeeperBin, "settings", "--home", home, "--start-at-login="+on)
		cmd.Env = append(os.Environ(), "HOME="+userHome, "XDG_CONFIG_HOME="+filepath.Join(userHome, ".config"),
			"PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("settings --start-at-login=%s: %v\n%s", on, err, out)
		}
		return string(out)
	}
	installed := func() []string {
		a, _ := filepath.Glob(filepath.Join(userHome, ".config", "autostart", "*.desktop"))
		u, _ := filepath.Glob(filepath.Join(userHome, ".config", "systemd", "user", "*.service"))
		return append(a, u...)
	}
	out := settings("true")
	if len(installed()) != 1 || !strings.Contains(out, "Start at login:   true") || !strings.Contains(out, "log") {
		t.Fatalf("after --start-at-login=true: installed %v\n%s", installed(), out)
	}
	out = settings("false")
	if got := installed(); len(got) != 0 || !strings.Contains(out, "no longer starts at login") {
		t.Fatalf("after --start-at-login=false: installed %v\n%s", got, out)
	}
}
