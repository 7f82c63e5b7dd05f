package ui

import "testing"

func TestExplain(t *testing.T) {
	for msg, want := range map[string]string{
		"write /x: no space left on device":                       "The drive is full. Free some space on it, or lower your donation under Space.",
		"open /x: permission denied":                              "Shardkeeper may not write to its storage folder. Check the folder's permissions, or that the drive is not read-only.",
		"Get https://a/b: 404 Not Found":                          "The archive no longer offers this file for download. Nothing to do: the hub knows.",
		"exec: \"git-annex\": executable file not found in $PATH": "A tool Shardkeeper relies on (git-annex) is missing or failed. Reinstalling git-annex usually fixes this.",
		"something odd":                                           "",
	} {
		if got := explain(msg); got != want {
			t.Errorf("explain(%q) = %q, want %q", msg, got, want)
		}
	}
}
