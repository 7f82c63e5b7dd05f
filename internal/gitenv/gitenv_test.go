package gitenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGitSeesOnlyOurConfig asks a real git what it sees through Environ:
// our identity and settings, not the hostile global config, and the
// caller's extra settings last.
func TestGitSeesOnlyOurConfig(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	global := filepath.Join(dir, "gitconfig")
	os.WriteFile(global, []byte("[user]\n\tname = Real Person\n\temail = me@home\n[core]\n\thooksPath = /x\n\tautocrlf = true\n"), 0o644)
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GIT_CONFIG_GLOBAL=" + global,
		"GIT_AUTHOR_NAME=Real Person", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=user.name", "GIT_CONFIG_VALUE_0=Env Person"}
	get := func(env []string, key string) string {
		cmd := exec.Command("git", "config", "--get", key)
		cmd.Env, cmd.Dir = env, dir
		out, _ := cmd.Output()
		return strings.TrimSpace(string(out))
	}
	env := Environ(base, []string{"GIT_INDEX_FILE=/tmp/i"}, HubHooks)
	for key, want := range map[string]string{
		"user.name": "Shardkeeper", "user.email": "shardkeeper@localhost.invalid",
		"core.hooksPath": "hooks", "core.autocrlf": "false", "commit.gpgsign": "false",
	} {
		if got := get(env, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "GIT_AUTHOR_NAME=") || kv == "GIT_CONFIG_GLOBAL="+global {
			t.Errorf("the user's %s reached git", kv)
		}
	}
	if !strings.Contains(strings.Join(env, "\n"), "GIT_INDEX_FILE=/tmp/i") {
		t.Error("the caller's own variable was lost")
	}
	if got := get(Environ(base, nil), "core.hooksPath"); got != NoHooks {
		t.Errorf("default hooks path %q, want %q", got, NoHooks)
	}
}

func TestCallersConfigVariablesAreKept(t *testing.T) {
	env := Environ(nil, []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader", "GIT_CONFIG_VALUE_0=Authorization: Bearer x", "A=b"})
	joined := strings.Join(env, "\n")
	n := len(settings)
	if !strings.Contains(joined, "GIT_CONFIG_COUNT="+strconv.Itoa(n+1)) ||
		!strings.Contains(joined, "GIT_CONFIG_KEY_"+strconv.Itoa(n)+"=http.extraHeader\n") ||
		!strings.Contains(joined, "GIT_CONFIG_VALUE_"+strconv.Itoa(n)+"=Authorization: Bearer x") || !strings.Contains(joined, "A=b") {
		t.Errorf("the caller's setting is lost:\n%s", joined)
	}
}
