package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestMain lets this test binary stand in for the shardhub binary when a
// shard's pre-receive hook (installed by serve with os.Executable())
// calls it back: it runs the real audit-hook command.
func TestMain(m *testing.M) {
	testkit.HookMain(m, func() int { return Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr) })
}

func TestParseDays(t *testing.T) {
	for in, want := range map[string]time.Duration{"120d": 120 * 24 * time.Hour, "1d": 24 * time.Hour, "36h": 36 * time.Hour} {
		if got, err := parseDays(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0d", "-3d", "d", "120", "x"} {
		if _, err := parseDays(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHealthFlags(t *testing.T) {
	data := builtData(t, map[string]string{"a.txt": "alpha", "b/c.txt": "charlie"})
	out, errOut, code := run(t, "health", "--data", data, "--at-risk-csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != "shard,path,key,size,copies" || rows[1][1] != "a.txt" || rows[1][4] != "0" {
		t.Errorf("--at-risk-csv: %d %v %s\n%s", code, err, errOut, out)
	}
	out, _, code = run(t, "health", "--data", data, "--json", "--target-copies", "2", "--expiry", "30d")
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r["target_copies"] != 2.0 || r["expiry_days"] != 30.0 {
		t.Errorf("--json: %d %v\n%s", code, err, out)
	}
	shard := r["shards"].([]any)[0].(map[string]any)
	for _, field := range []string{"name", "files", "bytes", "copies", "verified_30d", "by_copies", "donors_active"} {
		if _, ok := shard[field]; !ok {
			t.Errorf("shard JSON lacks %q", field)
		}
	}
	for _, tc := range [][]string{
		{"health", "--data", data, "--expiry", "soon"},
		{"health", "--data", data, "--json", "--at-risk-csv"},
		{"serve", "--data", data, "--target-copies", "0"},
		{"serve", "--data", data, "--expiry", "0d"},
	} {
		if out, errOut, code := run(t, tc...); code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "shardhub: ") {
			t.Errorf("%v: exit %d, %q %q", tc, code, out, errOut)
		}
	}
}

// TestServeAuditsPushes runs shardhub serve and pushes from a real donor
// repository: the hook serve installs calls this binary's audit-hook.
func TestServeAuditsPushes(t *testing.T) {
	s := startServe(t, "--target-copies", "2")
	reg := s.register(t)
	if reg.TargetCopies != 2 {
		t.Errorf("target copies %d", reg.TargetCopies)
	}
	env := testkit.HandEnv(t)
	work := testkit.HandDonor(t, env, reg.Shard.URL, reg.UUID, "donor")
	testkit.Run(t, env, work, "git", "annex", "trust", "--force", "-q", "here")
	push := testkit.HandPushArgs(reg.Token, reg.UUID)
	out, err := testkit.Try(env, work, push...)
	if err == nil || !strings.Contains(out, "remote: shardhub: trust.log: only the archive may change this file") {
		t.Errorf("a push changing trust.log: %v\n%s", err, out)
	}
	testkit.Run(t, env, work, "git", "update-ref", "refs/heads/git-annex", "origin/git-annex")
	os.Remove(filepath.Join(work, ".git", "annex", "index"))
	testkit.Run(t, env, work, "git", "annex", "describe", "-q", "here", "my laptop")
	if out, err := testkit.Try(env, work, push...); err != nil {
		t.Errorf("an honest push: %v\n%s", err, out)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("serve exited %d:\n%s", code, s.logs)
	}
}
