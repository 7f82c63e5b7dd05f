package ui

import "strings"

// explanations turn the technical end of an error into what it means for
// the donor and what to do. The first whose patterns match wins.
var explanations = []struct {
	patterns []string
	text     string
}{
	{[]string{"no space left", "disk full", "enospc"},
		"The drive is full. Free some space on it, or lower your donation under Space."},
	{[]string{"permission denied", "access is denied", "read-only file system"},
		"Shardkeeper may not write to its storage folder. Check the folder's permissions, or that the drive is not read-only."},
	{[]string{"no such host", "server misbehaving", "network is unreachable", "connection refused",
		"connection reset", "timeout", "timed out", "dial tcp", "tls handshake"},
		"Shardkeeper can't reach the archive's servers. Check your internet connection; it tries again on its own."},
	{[]string{"404", "not found on the server", "410"},
		"The archive no longer offers this file for download. Nothing to do: the hub knows."},
	{[]string{"checksum", "verification failed", "bad content", "hash mismatch"},
		"A download arrived damaged and was thrown away. Shardkeeper fetches it again later."},
	{[]string{"git-annex", "executable file not found"},
		"A tool Shardkeeper relies on (git-annex) is missing or failed. Reinstalling git-annex usually fixes this."},
	{[]string{"not connected", "no such file or directory", "device not configured"},
		"A storage folder is missing: if it is on an external drive, plug the drive in."},
}

// explain says what an error means for the donor, or "" when it has no
// better words than the message itself.
func explain(msg string) string {
	m := strings.ToLower(msg)
	for _, e := range explanations {
		for _, p := range e.patterns {
			if strings.Contains(m, p) {
				return e.text
			}
		}
	}
	return ""
}
