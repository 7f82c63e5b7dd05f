package ui

import "github.com/shardkeeper/shardkeeper/agent/control"

// explanations say what a cause the agent named means for the donor and
// what to do.
var explanations = map[control.Cause]string{
	control.CauseDiskFull:    "The drive is full. Free some space on it, or lower your donation under Space.",
	control.CausePermission:  "Shardkeeper may not write to its storage folder. Check the folder's permissions, or that the drive is not read-only.",
	control.CauseNetwork:     "Shardkeeper can't reach the archive's servers. Check your internet connection; it tries again on its own.",
	control.CauseGone:        "The archive no longer offers this file for download. Nothing to do: the hub knows.",
	control.CauseDamaged:     "A download arrived damaged and was thrown away. Shardkeeper fetches it again later.",
	control.CauseTool:        "A tool Shardkeeper relies on (git-annex) is missing or failed. Reinstalling git-annex usually fixes this.",
	control.CauseStorageGone: "A storage folder is missing: if it is on an external drive, plug the drive in.",
}

// explain says what an error event means for the donor, or "" when the
// agent named no cause (the message then says it all). It reads the
// event's cause, never its text.
func explain(ev control.Event) string { return explanations[ev.Cause] }
