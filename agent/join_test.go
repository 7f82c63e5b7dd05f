package agent

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckIsShard(t *testing.T) {
	dir := t.TempDir()
	git := func(d string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = d
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	src := filepath.Join(dir, "src")
	git(dir, "init", "-q", "--initial-branch=main", src)
	git(src, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x")
	plain := filepath.Join(dir, "plain")
	git(dir, "clone", "-q", src, plain)
	if err := checkIsShard(plain); err == nil || !strings.Contains(err.Error(), "no git-annex branch") {
		t.Errorf("plain repository accepted as a shard: %v", err)
	}
	git(src, "branch", "git-annex")
	shard := filepath.Join(dir, "shard")
	git(dir, "clone", "-q", src, shard)
	if err := checkIsShard(shard); err != nil {
		t.Errorf("shard refused: %v", err)
	}
	if err := checkIsShard(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing folder accepted")
	}
}
