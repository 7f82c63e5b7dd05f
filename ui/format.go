package ui

import (
	"time"

	"github.com/dustin/go-humanize"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// The words a donor sees. Kept apart from the widgets so the window, the tray
// and the tests all say exactly the same thing.

// TrayTitle is the first line of the tray menu, e.g.
// "Protecting 1,234 files · 48 MB".
func TrayTitle(s control.Status) string {
	return protectingText(s.FilesProtected) + " · " + bytesText(s.BytesHeld)
}

// StateText explains the agent's state in one plain sentence. The agent's
// own Message wins: it knows why (e.g. "Disk budget full").
func StateText(s control.Status) string {
	if s.Message != "" {
		return s.Message
	}
	switch s.State {
	case control.StateFetching:
		return "Fetching files…"
	case control.StateIdle:
		return "Up to date"
	case control.StatePaused:
		return "Paused"
	case control.StateOffline:
		return "The agent is not running"
	case control.StateNotJoined:
		return "Not joined to an archive yet"
	case control.StateError:
		return "Something went wrong; the agent will try again"
	}
	if s.Paused {
		return "Paused"
	}
	return "Status: " + s.State
}

// AgentErrorText is what the window says when the agent can't be asked.
func AgentErrorText(err error) string {
	return "Can't reach the Shardkeeper agent: " + err.Error()
}

func actionErrorText(pause bool, err error) string {
	if pause {
		return "Couldn't pause: " + err.Error()
	}
	return "Couldn't resume: " + err.Error()
}

func protectingText(files int64) string {
	if files == 1 {
		return "Protecting 1 file"
	}
	return "Protecting " + humanize.Comma(files) + " files"
}

func bytesText(n int64) string {
	if n < 0 {
		n = 0
	}
	return humanize.Bytes(uint64(n))
}

// spaceText reads "12 MB of 50 MB donated space used".
func spaceText(s control.Status) string {
	if s.BudgetBytes <= 0 {
		return bytesText(s.BytesHeld) + " held (no donated space limit set)"
	}
	return bytesText(s.BytesHeld) + " of " + bytesText(s.BudgetBytes) + " donated space used"
}

// spaceFraction is the progress bar's value, clamped so an over-full budget
// (the agent may overshoot by one file) still draws a full bar.
func spaceFraction(s control.Status) float64 {
	if s.BudgetBytes <= 0 {
		return 0
	}
	f := float64(s.BytesHeld) / float64(s.BudgetBytes)
	return min(max(f, 0), 1)
}

func hubText(s control.Status) string {
	if s.Hub == "" {
		return "Archive hub: none yet"
	}
	return "Archive hub: " + s.Hub
}

func storageText(s control.Status) string {
	if s.Storage == "" {
		return ""
	}
	return "Stored in " + s.Storage
}

func lastCycleText(s control.Status, now time.Time) string {
	if s.LastCycle == nil || s.LastCycle.IsZero() {
		return ""
	}
	return "Last checked " + humanize.RelTime(*s.LastCycle, now, "ago", "from now")
}

// shardFilesText reads "1,200 of 1,500 files".
func shardFilesText(sh control.ShardStatus) string {
	return humanize.Comma(sh.FilesHeld) + " of " + humanize.Comma(sh.Files) + " files"
}

// attention reports states the donor should look at; the tray turns orange.
func attention(s control.Status) bool {
	switch s.State {
	case control.StateError, control.StateOffline, control.StateNotJoined:
		return true
	}
	return false
}

// canToggle reports whether Pause/Resume makes sense: a stopped or unjoined
// agent has nothing to pause.
func canToggle(s control.Status) bool {
	return s.State != control.StateOffline && s.State != control.StateNotJoined
}

// toggleText is the Pause/Resume action's label for the current state.
func toggleText(s control.Status) string {
	if s.Paused {
		return "Resume"
	}
	return "Pause"
}
