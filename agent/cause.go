package agent

import (
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// causes name the cause of an error from its text (Go's, the OS's and
// git-annex's words): the first whose patterns match wins. Only the agent
// reads error text; the UI gets the cause as a value (control.Event.Cause).
var causes = []struct {
	patterns []string
	cause    control.Cause
}{
	{[]string{"no space left", "disk full", "enospc", "not enough free space"}, control.CauseDiskFull},
	{[]string{"permission denied", "access is denied", "read-only file system"}, control.CausePermission},
	{[]string{"no such host", "server misbehaving", "network is unreachable", "connection refused",
		"connection reset", "timeout", "timed out", "dial tcp", "tls handshake"}, control.CauseNetwork},
	{[]string{"404", "not found on the server", "410"}, control.CauseGone},
	{[]string{"checksum", "verification failed", "bad content", "hash mismatch"}, control.CauseDamaged},
	{[]string{"git-annex", "executable file not found"}, control.CauseTool},
	{[]string{"not connected", "no such file or directory", "device not configured"}, control.CauseStorageGone},
}

// causeOf names the cause of an error message, "" when none fits.
func causeOf(msg string) control.Cause {
	m := strings.ToLower(msg)
	for _, c := range causes {
		for _, p := range c.patterns {
			if strings.Contains(m, p) {
				return c.cause
			}
		}
	}
	return ""
}
