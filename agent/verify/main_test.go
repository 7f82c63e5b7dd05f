package verify

import (
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestMain runs the tests on a donor's fresh account (no git identity).
func TestMain(m *testing.M) { testkit.Main(m) }
