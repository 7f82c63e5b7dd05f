package server

import (
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestMain lets this test binary audit pushes as the shards' pre-receive
// hook, as the shardhub binary does in production.
func TestMain(m *testing.M) { testkit.AuditHookMain(m) }
