package ui

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// hubSilence is how long the agent may go without reaching the hub before
// the donor is told: a laptop offline for an evening is normal.
const hubSilence = 24 * time.Hour

// notifier turns status transitions and events into desktop notifications:
// verification finished (or found problems), a drive reconnected, the
// budget filled up, the hub unreachable for a day. Each fires once per
// transition, never for what was already so when the app started.
type notifier struct {
	send    func(*fyne.Notification)
	started time.Time // events before this are history replayed on connect

	have       bool
	prev       control.Status
	verifyMsg  string // the agent's last word on a verification
	budgetFull bool
	hubLost    bool

	thanks     int       // verified restore uploads not yet thanked for
	thanksFile string    // the last of them
	lastThanks time.Time // when the donor was last thanked
}

func newNotifier(send func(*fyne.Notification), started time.Time) *notifier {
	return &notifier{send: send, started: started}
}

// status runs on the UI thread for every status received.
func (n *notifier) status(cur control.Status, now time.Time) {
	prev, had := n.prev, n.have
	n.prev, n.have = cur, true
	n.prev.Locations = slices.Clone(cur.Locations) // compared field by field next time
	full, lost := budgetFull(cur), hubLost(cur, now)
	if !had {
		n.budgetFull, n.hubLost = full, lost
		return
	}
	if prev.Verifying != nil && cur.Verifying == nil {
		n.verificationDone()
	}
	for _, l := range cur.Locations {
		if p, ok := findLocation(prev.Locations, l); ok && !p.Online && l.Online {
			n.notify("Drive '"+driveName(l.Path)+"' is connected again",
				"Shardkeeper carries on protecting the files stored on it.")
		}
	}
	if full && !n.budgetFull {
		n.notify("Your donated space is full",
			"Shardkeeper holds "+bytesText(cur.BytesHeld)+", all the space you gave. Give more under Space to protect more files.")
	}
	if lost && !n.hubLost {
		body := "Shardkeeper has not reached " + hostOf(cur.Hub) + " for over a day. Your files stay safe here; check your internet connection."
		if cur.HubProblem != "" {
			body += " (" + cur.HubProblem + ")"
		}
		n.notify("Can't reach the archive's hub", body)
	}
	n.budgetFull, n.hubLost = full, lost
	n.flushThanks(now)
}

// event runs on the UI thread for every new event.
func (n *notifier) event(ev control.Event) {
	if ev.Kind == control.EventVerify && !ev.Time.Before(n.started) {
		n.verifyMsg = ev.Message
	}
	if ev.Kind == control.EventRestoreVerified {
		n.restoreVerified(ev)
	}
}

func (n *notifier) verificationDone() {
	msg := n.verifyMsg
	n.verifyMsg = ""
	title := "Verification finished"
	if msg == "" {
		msg = "Every file you hold was checked."
	} else if reportsProblem(msg) {
		title = "Verification found problems"
	}
	n.notify(title, msg)
}

func (n *notifier) notify(title, content string) {
	n.send(fyne.NewNotification(title, content))
}

// reportsProblem reads the agent's plain-language verification summary;
// the event has no structured result.
func reportsProblem(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range []string{"problem", "damaged", "corrupt", "missing", "failed", "bad "} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// hubLost: the agent runs, is not paused, and its last report reached the
// hub over hubSilence ago.
func hubLost(s control.Status, now time.Time) bool {
	if s.LastReport == nil || s.Paused || !canToggle(s) {
		return false
	}
	return now.Sub(*s.LastReport) > hubSilence
}

// findLocation matches a location across two statuses by ID, else by path.
func findLocation(ls []control.Location, l control.Location) (control.Location, bool) {
	for _, o := range ls {
		if (l.ID != "" && o.ID == l.ID) || (l.ID == "" && o.Path == l.Path) {
			return o, true
		}
	}
	return control.Location{}, false
}

// hostOf shortens a hub URL to its host for a sentence.
func hostOf(hub string) string {
	if u, err := url.Parse(hub); err == nil && u.Host != "" {
		return u.Host
	}
	if hub == "" {
		return "the hub"
	}
	return hub
}
