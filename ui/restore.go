package ui

import (
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// restoreText is what the overview and the tray say while the archive
// asks this donor for files back (a fire drill or a real restore); "" when
// it asks for none.
func restoreText(s control.Status) string {
	n := s.Restore.Requested
	if n <= 0 {
		return ""
	}
	return "Helping the archive restore " + words.Count(n, "file", "files")
}

// thanksEvery bounds the thank-you notifications: a drill verifies many
// files within seconds, and one notification says it for all of them.
const thanksEvery = time.Minute

// restoreVerified counts an upload of this donor that the archive
// verified; the thanks go out now, or with the next status after
// thanksEvery.
func (n *notifier) restoreVerified(ev control.Event) {
	if ev.Time.Before(n.started) {
		return // history replayed on connect
	}
	n.thanks++
	n.thanksFile = ev.File
	n.flushThanks(ev.Time)
}

func (n *notifier) flushThanks(now time.Time) {
	if n.thanks == 0 || (!n.lastThanks.IsZero() && now.Sub(n.lastThanks) < thanksEvery) {
		return
	}
	body := "The archive verified " + n.thanksFile + ", which you sent back. Your copy helped restore it."
	if n.thanks > 1 {
		body = "The archive verified " + words.Count(int64(n.thanks), "file", "files") + " you sent back. Your copies helped restore them."
	}
	n.notify("Thank you for helping the archive", body)
	n.thanks, n.lastThanks = 0, now
}
