package ui

import (
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// eventLoop follows the agent's event stream until Stop, asking again
// after the stream breaks (the agent restarts, or is not running yet).
func (u *UI) eventLoop() {
	for u.ctx.Err() == nil {
		if ch, err := u.api.Events(u.ctx); err == nil {
			for ev := range ch {
				if u.ctx.Err() != nil {
					return
				}
				u.onUI(func() { u.onEvent(ev) })
			}
		}
		select {
		case <-u.ctx.Done():
			return
		case <-time.After(eventRetry):
		}
	}
}

// onEvent runs on the UI thread for every event, including the recent
// history the agent replays on each new stream.
func (u *UI) onEvent(ev control.Event) {
	if seenEvent(u.events, ev) {
		return // replayed after a reconnect
	}
	u.events = append(u.events, ev)
	if len(u.events) > keepEvents {
		u.events = append(u.events[:0:0], u.events[len(u.events)-keepEvents:]...)
	}
	u.notify.event(ev)

	switch ev.Kind {
	case control.EventTransfer:
		if ev.Transfer != nil {
			u.status.Transfers = updateTransfers(u.status.Transfers, *ev.Transfer)
		}
	default:
		// Something changed that the status shows: poll now, not at the next tick.
		u.refreshSoon()
	}
	u.render()
}

// seenEvent: a replayed event equals one kept, or is older than all of them.
func seenEvent(kept []control.Event, ev control.Event) bool {
	if len(kept) == 0 {
		return false
	}
	if ev.Time.Before(kept[0].Time) {
		return true
	}
	for i := len(kept) - 1; i >= 0; i-- {
		if kept[i].Time.Equal(ev.Time) && sameEvent(kept[i], ev) {
			return true
		}
	}
	return false
}

func sameEvent(a, b control.Event) bool {
	return a.Kind == b.Kind && a.Message == b.Message && a.Shard == b.Shard && a.Key == b.Key && a.File == b.File
}

// updateTransfers folds a progress event into the transfers the last status
// listed, so progress bars move between polls; a finished one goes away.
func updateTransfers(ts []control.Transfer, t control.Transfer) []control.Transfer {
	out := make([]control.Transfer, 0, len(ts)+1)
	found := false
	for _, old := range ts {
		if old.Shard == t.Shard && old.Key == t.Key {
			found = true
			old = t
		}
		if old.TotalBytes > 0 && old.DoneBytes >= old.TotalBytes {
			continue
		}
		out = append(out, old)
	}
	if !found && (t.TotalBytes == 0 || t.DoneBytes < t.TotalBytes) {
		out = append(out, t)
	}
	return out
}
