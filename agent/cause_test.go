package agent

import (
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestCauseOf(t *testing.T) {
	for msg, want := range map[string]control.Cause{
		"write /x: no space left on device":                       control.CauseDiskFull,
		"open /x: permission denied":                              control.CausePermission,
		"Get https://a/b: 404 Not Found":                          control.CauseGone,
		"exec: \"git-annex\": executable file not found in $PATH": control.CauseTool,
		"dial tcp 10.0.0.1:443: connection refused":               control.CauseNetwork,
		"something odd": "",
	} {
		if got := causeOf(msg); got != want {
			t.Errorf("causeOf(%q) = %q, want %q", msg, got, want)
		}
	}
}
