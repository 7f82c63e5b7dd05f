package server

import (
	"context"
	"os"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/audit"
)

// TestMain lets this test binary serve as the shards' pre-receive hook, as
// the shardhub binary does in production: the hub under test installs a
// hook that runs os.Executable() with the audit environment set.
func TestMain(m *testing.M) {
	if os.Getenv(audit.EnvHook) == "1" {
		os.Exit(audit.RunHook(context.Background(), os.Stdin, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}

// selfHook is the audit program for hubs under test.
func selfHook(t testing.TB) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}
