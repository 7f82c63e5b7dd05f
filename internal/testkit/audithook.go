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
	if os.Getenv(audit.EnvHook) == "1" {
		os.Exit(audit.RunHook(context.Background(), os.Stdin, os.Stderr, os.Getenv))
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
