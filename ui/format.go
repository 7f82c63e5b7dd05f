package ui

import (
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/annex"
)

// The words a donor sees. Kept apart from the widgets so the window, the tray
// and the tests all say exactly the same thing.

// defaultTargetCopies is the number of copies a hub aims for when the
// agent does not say; the overview says how many held files have fewer.
const defaultTargetCopies = annex.DefaultTargetCopies

func targetCopies(s control.Status) int {
	if s.TargetCopies > 0 {
		return s.TargetCopies
	}
	return defaultTargetCopies
}

// TrayTitle is the first line of the tray menu, e.g.
// "Protecting 12,345 files · 48.2 GB".
func TrayTitle(s control.Status) string {
	return protectingText(s.FilesProtected) + " · " + bytesText(s.BytesHeld)
}

// StateText says what the agent is doing in a few words, for the tray's
// second line and the window's headline: "Up to date", "Fetching 3 files
// (4.1 MB/s)", "Paused — resumes at 14:30", "Drive 'Backup' not connected",
// "Verifying 41%". Times are shown in now's location.
func StateText(s control.Status, now time.Time) string {
	switch {
	case s.State == control.StateNotJoined:
		return "Not joined to an archive yet"
	case s.State == control.StateOffline:
		return "The agent is not running"
	case s.Left:
		return "You have left the archive: thank you for your help"
	case s.Leaving:
		return "Finishing up and giving your space back"
	case s.Paused || s.State == control.StatePaused:
		return pausedText(s.PausedUntil, now)
	case s.Verifying != nil:
		return fmt.Sprintf("Verifying %d%%", int(progressPercent(*s.Verifying)))
	case s.Releasing != nil:
		return fmt.Sprintf("Giving space back %d%%", int(progressPercent(*s.Releasing)))
	}
	if loc, ok := offlineLocation(s); ok {
		return "Drive '" + driveName(loc.Path) + "' not connected"
	}
	switch s.State {
	case control.StateFetching:
		return fetchingText(s.Transfers)
	case control.StateError:
		if s.Message != "" {
			return s.Message
		}
		return "Something went wrong; the agent will try again"
	case control.StateIdle:
		if budgetFull(s) {
			return "Donated space is full"
		}
		return "Up to date"
	}
	if s.Message != "" {
		return s.Message
	}
	return "Status: " + s.State
}

// detailText is the agent's own explanation, shown under the headline when
// it adds something to StateText (e.g. "Budget full: 4 MB of 4 MB used; 119
// more files need copies"), and why the hub did not get the last report.
func detailText(s control.Status, now time.Time) string {
	var lines []string
	// Only an idle agent's message explains more than the state line
	// (fetching and paused say the same; an error's message is the line).
	if s.State == control.StateIdle && !s.Paused && s.Message != "" && s.Message != StateText(s, now) {
		lines = append(lines, s.Message)
	}
	if s.HubProblem != "" {
		lines = append(lines, "The hub did not get the last report: "+s.HubProblem)
	}
	return strings.Join(lines, "\n")
}

func pausedText(until *time.Time, now time.Time) string {
	if until == nil || until.IsZero() {
		return "Paused until you resume"
	}
	return "Paused — resumes " + whenText(*until, now)
}

// whenText reads "at 14:30", "tomorrow at 08:00" or "on Mon 2 Jan at 14:30".
func whenText(t, now time.Time) string {
	t = t.In(now.Location())
	clock := t.Format("15:04")
	y, m, d := now.Date()
	switch {
	case sameDay(t, now):
		return "at " + clock
	case sameDay(t, time.Date(y, m, d+1, 12, 0, 0, 0, now.Location())):
		return "tomorrow at " + clock
	}
	return "on " + t.Format("Mon 2 Jan") + " at " + clock
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func fetchingText(ts []control.Transfer) string {
	if len(ts) == 0 {
		return "Fetching files…"
	}
	var rate float64
	for _, t := range ts {
		rate += t.BytesPerSec
	}
	files := words.Count(int64(len(ts)), "file", "files")
	if rate <= 0 {
		return "Fetching " + files
	}
	return "Fetching " + files + " (" + rateText(rate) + ")"
}

func progressPercent(p control.Progress) float64 {
	pc := p.Percent
	if pc == 0 && p.Total > 0 {
		pc = 100 * float64(p.Done) / float64(p.Total)
	}
	return min(max(pc, 0), 100)
}

// offlineLocation is the first storage location whose drive is missing.
func offlineLocation(s control.Status) (control.Location, bool) {
	for _, l := range s.Locations {
		if !l.Online {
			return l, true
		}
	}
	return control.Location{}, false
}

// driveName is what a donor calls the drive behind a storage folder: the
// volume's name for removable drives (/media/USER/Backup/..., /Volumes/Backup,
// E:\...), otherwise the folder's own name.
func driveName(path string) string {
	slash := filepath.ToSlash(path)
	parts := strings.Split(strings.Trim(slash, "/"), "/")
	switch {
	case len(parts) >= 3 && parts[0] == "media":
		return parts[2]
	case len(parts) >= 4 && parts[0] == "run" && parts[1] == "media":
		return parts[3]
	case len(parts) >= 2 && (parts[0] == "Volumes" || parts[0] == "mnt"):
		return parts[1]
	case len(slash) >= 2 && slash[1] == ':':
		return strings.ToUpper(slash[:2])
	}
	return filepath.Base(path)
}

// budgetFull: the agent has used (nearly) all the space it may, while its
// shards still have files that need copies.
func budgetFull(s control.Status) bool {
	budget := effectiveBudget(s)
	if budget <= 0 || spaceUsed(s) < budget*95/100 {
		return false
	}
	for _, sh := range s.Shards {
		if sh.FilesHeld < sh.Files {
			return true
		}
	}
	return false
}

// spaceUsed is the space Shardkeeper takes: what its files take on disk
// when the agent measured it (blocks, not bytes), else their sizes.
func spaceUsed(s control.Status) int64 {
	if s.Budget != nil && s.Budget.Disk.UsedByShardkeeper > s.BytesHeld {
		return s.Budget.Disk.UsedByShardkeeper
	}
	return s.BytesHeld
}

// effectiveBudget is the space the agent may use now: the most restrictive
// of the limits when the agent reports them, else the plain budget.
func effectiveBudget(s control.Status) int64 {
	if s.Budget != nil && s.Budget.EffectiveBytes > 0 {
		return s.Budget.EffectiveBytes
	}
	return s.BudgetBytes
}

// AgentErrorText is what the window says when the agent can't be asked.
func AgentErrorText(err error) string {
	return "Can't reach the Shardkeeper agent: " + err.Error()
}

func protectingText(files int64) string {
	if files == 1 {
		return "Protecting 1 file"
	}
	return "Protecting " + humanize.Comma(files) + " files"
}

// bytesText is words.Size, the one size formatter of the CLI and the
// window: "512 B", "4.1 MB", "48.2 GB", "482 GB".
var bytesText = words.Size

func rateText(bytesPerSec float64) string {
	return bytesText(int64(math.Round(bytesPerSec))) + "/s"
}

// spaceText reads "12.0 MB of 50.0 MB donated space used".
func spaceText(s control.Status) string {
	budget := effectiveBudget(s)
	if budget <= 0 {
		return bytesText(spaceUsed(s)) + " used (no donated space limit set)"
	}
	return bytesText(spaceUsed(s)) + " of " + bytesText(budget) + " donated space used"
}

// spaceFraction is the progress bar's value, clamped so an over-full budget
// (the agent may overshoot by one file) still draws a full bar.
func spaceFraction(s control.Status) float64 {
	budget := effectiveBudget(s)
	if budget <= 0 {
		return 0
	}
	return min(max(float64(spaceUsed(s))/float64(budget), 0), 1)
}

// impactText is the donor's impact: how many of its files are rare.
func impactText(s control.Status) string {
	switch {
	case s.FilesProtected == 0:
		return "Files arrive here as soon as Shardkeeper fetches them."
	case s.FilesFewCopies == 0:
		return fmt.Sprintf("Every file you hold has at least %d copies elsewhere. Thank you for the extra safety.", targetCopies(s))
	case s.FilesFewCopies == 1:
		return fmt.Sprintf("1 of your files has fewer than %d copies anywhere else: you are one of its few copies.", targetCopies(s))
	}
	return fmt.Sprintf("%s of your files have fewer than %d copies anywhere else: you are one of their few copies.",
		humanize.Comma(s.FilesFewCopies), targetCopies(s))
}

// locationText says when a storage location was last verified.
func locationText(l control.Location, now time.Time) string {
	if !l.Online {
		text := "Drive '" + driveName(l.Path) + "' not connected"
		if l.OfflineSince != nil {
			text += " since " + relTime(*l.OfflineSince, now)
		}
		return text
	}
	text := "Never verified yet"
	if l.LastVerified != nil {
		text = "Verified " + relTime(*l.LastVerified, now)
	}
	if l.NextVerification != nil {
		if l.NextVerification.After(now) {
			text += " · next check " + relTime(*l.NextVerification, now)
		} else {
			text += " · next check due now"
		}
	}
	return text
}

func hubText(s control.Status) string {
	if s.Hub == "" {
		return "Archive hub: none yet"
	}
	return "Archive hub: " + s.Hub
}

func lastCycleText(s control.Status, now time.Time) string {
	if s.LastCycle == nil || s.LastCycle.IsZero() {
		return ""
	}
	return "Last checked " + relTime(*s.LastCycle, now)
}

// shardFilesText reads "1,200 of 1,500 files".
func shardFilesText(sh control.ShardStatus) string {
	return humanize.Comma(sh.FilesHeld) + " of " + humanize.Comma(sh.Files) + " files"
}

// copiesText says how many donors hold a file, from this donor's side.
func copiesText(f control.File) string {
	switch {
	case f.Held && f.Copies <= 1:
		return "You hold the only donor copy"
	case f.Held:
		return fmt.Sprintf("You are one of %d copies", f.Copies)
	case f.Copies == 0:
		return "No donor holds a copy yet"
	case f.Copies == 1:
		return "1 donor copy"
	}
	return fmt.Sprintf("%d donor copies", f.Copies)
}

// attention reports states the donor should look at; the tray turns orange.
func attention(s control.Status) bool {
	switch s.State {
	case control.StateError, control.StateOffline, control.StateNotJoined:
		return true
	}
	_, offline := offlineLocation(s)
	return offline
}

// canToggle reports whether Pause/Resume makes sense: a stopped or unjoined
// agent has nothing to pause.
func canToggle(s control.Status) bool {
	return s.State != control.StateOffline && s.State != control.StateNotJoined
}

// relTime reads "3 minutes ago" or "in 2 days", and "just now" within a
// minute either way: a count of seconds would change the window's text
// at every poll and so repaint it.
func relTime(t, now time.Time) string {
	if d := now.Sub(t); d > -time.Minute && d < time.Minute {
		return "just now"
	}
	return humanize.RelTime(t, now, "ago", "from now")
}
