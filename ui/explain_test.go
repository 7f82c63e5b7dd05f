package ui

import (
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestExplain(t *testing.T) {
	for cause, want := range map[control.Cause]string{
		control.CauseDiskFull:   "The drive is full. Free some space on it, or lower your donation under Space.",
		control.CausePermission: "Shardkeeper may not write to its storage folder. Check the folder's permissions, or that the drive is not read-only.",
		control.CauseGone:       "The archive no longer offers this file for download. Nothing to do: the hub knows.",
		control.CauseTool:       "A tool Shardkeeper relies on (git-annex) is missing or failed. Reinstalling git-annex usually fixes this.",
		"":                      "",
	} {
		ev := control.Event{Kind: control.EventError, Message: "no space left on device (the text is not read)", Cause: cause}
		if got := explain(ev); got != want {
			t.Errorf("explain(cause %q) = %q, want %q", cause, got, want)
		}
	}
}
