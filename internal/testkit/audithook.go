package testkit

import (
	"context"
	"os"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/audit"
)

// AuditHookMain runs the tests, unless git runs this test binary as a
// shard's pre-receive hook (a hub under test installs SelfHook as its audit
// program): then it audits the push, as shardhub does, and exits.
func AuditHookMain(m *testing.M) {
	HookMain(m, func() int { return audit.RunHook(context.Background(), os.Stdin, os.Stderr, os.Getenv) })
}

// HookMain is AuditHookMain with the audit program's own entry point:
// when git runs this test binary as a shard's pre-receive hook it exits
// with what hook returns; else it runs the tests (Main).
func HookMain(m *testing.M, hook func() int) {
	if os.Getenv(audit.EnvHook) == "1" {
		os.Exit(hook())
	}
	Main(m)
}

// SelfHook is the audit program for hubs under test: this test binary,
// whose TestMain calls AuditHookMain.
func SelfHook(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}
