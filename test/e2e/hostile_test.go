package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// hostileGitConfig is a git config a developer's account may well have, and
// every line of which once broke, or could break, a shard repository: commit
// signing with no key, a hooks path whose hooks all fail (but one that would
// let any push through unaudited), CRLF conversion, another default branch,
// git-annex told not to commit, and a credential helper that fails.
func hostileGitConfig(t *testing.T, dir string) string {
	t.Helper()
	hooks := filepath.Join(dir, "hostile-hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"pre-commit", "commit-msg", "post-commit", "post-checkout", "post-merge",
		"pre-push", "update", "post-receive", "reference-transaction", "pre-auto-gc", "post-rewrite"} {
		writeScript(t, filepath.Join(hooks, h), "#!/bin/sh\necho hostile hook $0 >&2\nexit 1\n")
	}
	// A pre-receive that accepts everything: a hub that ran it instead of
	// its own would skip the push audit.
	writeScript(t, filepath.Join(hooks, "pre-receive"), "#!/bin/sh\nexit 0\n")
	cfg := filepath.Join(dir, "hostile-gitconfig")
	content := strings.Join([]string{
		"[commit]", "\tgpgsign = true",
		"[tag]", "\tgpgsign = true",
		"[gpg]", "\tprogram = /bin/false",
		"[core]", "\thooksPath = " + hooks, "\tautocrlf = true", "\tsafecrlf = true",
		"[init]", "\tdefaultBranch = trunk",
		"[annex]", "\tautocommit = false", "\talwayscommit = false", "\tprivate = true",
		"[credential]", "\thelper = /bin/false",
		"",
	}, "\n")
	if err := os.WriteFile(cfg, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestHostileGitConfig runs the whole donor path, hub included, with the
// hostile config as both the global and the system git config and no git
// identity: join, fill, push, and the hub counts the donor's copies.
func TestHostileGitConfig(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	cfg := hostileGitConfig(t, tmp)
	t.Setenv("GIT_CONFIG_GLOBAL", cfg)
	t.Setenv("GIT_CONFIG_SYSTEM", cfg)
	os.Unsetenv("GIT_CONFIG_NOSYSTEM") // t.Setenv above restores the rest
	t.Cleanup(func() { os.Setenv("GIT_CONFIG_NOSYSTEM", "1") })

	coll := filepath.Join(tmp, "collection")
	total := makeCollection(t, coll, 12, 3)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data)
	home, storage := filepath.Join(tmp, "home"), filepath.Join(tmp, "store")
	mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", storage,
		"--budget", strconv.FormatInt(total*2, 10))
	mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")

	st := status(t, home)
	if st.FilesProtected != 12 || len(st.Shards) != 1 {
		t.Fatalf("with a hostile git config the donor protects %d of 12 files: %+v", st.FilesProtected, st)
	}
	held := heldKeys(t, st.Shards[0].Path)
	if len(held) != 12 {
		t.Errorf("git-annex says the donor holds %d of 12 keys", len(held))
	}
	var h healthJSON
	r := mustRun(t, shardhubBin, "health", "--data", data, "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &h); err != nil || len(h.Shards) != 1 || h.Shards[0].Copies["1"] != 12 {
		t.Errorf("the hub does not count the donor's 12 copies (%v): %s", err, r.Stdout)
	}

	// The hub still ran its own audit, not the hostile pre-receive: a push
	// to main is refused.
	token := donorToken(t, home)
	// (The push itself skips the hostile hooks on this side.)
	out, err := gitOut(st.Shards[0].Path, "-c", "core.hooksPath=/dev/null", "-c", "http.extraHeader=Authorization: Bearer "+token,
		"push", "origin", "git-annex:refs/heads/not-mine")
	if err == nil || !strings.Contains(out, "shardhub") {
		t.Errorf("a push to refs/heads/not-mine went through, or not through the audit: %v\n%s", err, out)
	}
}

// donorToken reads the donor's hub token from its config, as the agent does.
func donorToken(t *testing.T, home string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(home, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil || cfg.Token == "" {
		t.Fatalf("no token in the donor's config: %v", err)
	}
	return cfg.Token
}

// gitOut runs git in dir with this process's environment.
func gitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}
