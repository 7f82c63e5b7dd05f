// Package audit decides whether a donor's push may land. A donor may
// change only its own lines: location-log lines for its own UUID (for keys
// of the shard, timestamped no more than a day ahead), its own uuid.log
// description, its own activity.log line and its own group.log line (its
// region). Everything else it pushes must
// already be known to the hub, byte for byte after normalisation: lines
// that the hub's git-annex branch or some donor's accepted branch already
// has. That is what lets honest pushes through: a donor's git-annex
// union-merges the hub's branch and the other donors' refs into its own, so
// its branch carries their lines, but only lines the hub already has.
package audit

import (
	"fmt"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// MaxFuture is how far ahead of the hub's clock a donor's new timestamp may
// be: clocks drift, but a line from next week would win every merge.
const MaxFuture = 24 * time.Hour

// File is one path of the git-annex branch a push changes, with what the
// rules compare it to.
type File struct {
	Path string
	Mode string // new mode; "000000" when the push deletes the file
	// Base is the file in what the push builds on: the donor's previous
	// ref, or for a first push the hub's branch it was cloned from. nil
	// when absent.
	Base []byte
	New  []byte // nil when deleted
	// Hub is the file on the hub's git-annex branch (nil when absent): a
	// location log there with a web line means the key is in the shard.
	Hub []byte
	// Known holds the file as every branch of the hub has it (the hub's
	// git-annex branch and every donor ref).
	Known [][]byte
}

// kind is what the rules make of a path.
type kind int

const (
	notALog     kind = iota
	locationLog      // KEY.log: per-UUID lines, the donor's own may change
	ownLines         // uuid.log, activity.log, group.log: "<uuid> ... timestamp=", own line may change
	hubOnly          // everything else git-annex keeps: only the archive changes it
)

// hubOnlyLogs are git-annex's branch files a donor never changes.
var hubOnlyLogs = map[string]bool{
	"trust.log": true, "numcopies.log": true, "mincopies.log": true,
	"preferred-content.log": true, "required-content.log": true, "group-preferred-content.log": true,
	"remote.log": true, "config.log": true, "schedule.log": true, "difference.log": true,
	"multicast.log": true, "export.log": true, "exported.log": true, "maxsize.log": true,
	"proxy.log": true, "cluster.log": true,
	// The hub's compaction marks its rewritten branch here (docs/compaction.md).
	"transitions.log": true,
}

// perKeyHubOnly are suffixes of per-key logs other than the location log:
// URLs (.log.web), metadata, remote state, chunks, content identifiers.
var perKeyHubOnly = []string{".log.web", ".log.met", ".log.rmt", ".log.cnk", ".log.cid", ".log.sha"}

func classify(p string) kind {
	if _, ok := annex.KeyOfLogPath(p, ".log"); ok {
		return locationLog
	}
	switch {
	case p == "uuid.log" || p == "activity.log" || p == "group.log": // group.log: its region (annex.RegionGroup)
		return ownLines
	case hubOnlyLogs[p]:
		return hubOnly
	}
	for _, suf := range perKeyHubOnly {
		if _, ok := annex.KeyOfLogPath(p, suf); ok {
			return hubOnly
		}
	}
	return notALog
}

// line is one parsed line of a log: who it belongs to and when it was
// written, with a normal form to compare by.
type line struct {
	norm   string
	owner  string // a UUID; "" when the line names none
	at     annex.Timestamp
	status byte // location logs only
	ok     bool // parsed
}

func parseLine(k kind, s string) line {
	s = strings.TrimRight(s, "\r")
	switch k {
	case locationLog:
		ls := annex.ParseLog([]byte(s))
		if len(ls) != 1 || !validStatus(ls[0].Status) || strings.ContainsAny(ls[0].Value, " \t") {
			return line{norm: s}
		}
		l := ls[0]
		return line{norm: l.String(), owner: l.Value, at: l.Time, status: l.Status, ok: true}
	default:
		f := strings.Fields(s)
		if len(f) < 2 || !strings.HasPrefix(f[len(f)-1], "timestamp=") {
			return line{norm: strings.Join(f, " ")}
		}
		ts, err := annex.ParseTimestamp(strings.TrimPrefix(f[len(f)-1], "timestamp="))
		if err != nil {
			return line{norm: strings.Join(f, " ")}
		}
		f[len(f)-1] = "timestamp=" + ts.String()
		return line{norm: strings.Join(f, " "), owner: f[0], at: ts, ok: true}
	}
}

func validStatus(b byte) bool {
	return b == annex.StatusPresent || b == annex.StatusMissing || b == annex.StatusDead
}

func parseLines(k kind, data []byte) []line {
	var out []line
	for _, s := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		out = append(out, parseLine(k, s))
	}
	return out
}

// CheckFiles applies the rules to the files a push changes and returns the
// problems, one plain sentence each; none means the push may land.
func CheckFiles(donor string, now time.Time, files []File) []string {
	return Rules{Donor: donor, Now: now}.Check(files)
}

// Rules are what a push is judged by.
type Rules struct {
	Donor string    // the pushing donor's UUID
	Now   time.Time // the hub's clock
	// RestoreUUID is the shard's restore remote R (docs/restore.md): a
	// donor's upload to it makes the donor's git-annex record R as
	// present, so a present line for R on a key of the shard is allowed.
	// "" when the shard has none.
	RestoreUUID string
}

// Check applies the rules to the files a push changes and returns the
// problems, one plain sentence each; none means the push may land.
func (r Rules) Check(files []File) []string {
	var problems []string
	limit := annex.TimestampOf(r.Now.Add(MaxFuture))
	for _, f := range files {
		problems = append(problems, checkFile(r, limit, f)...)
	}
	return problems
}

// mayWrite reports whether a new line of owner is one the donor may add.
func (r Rules) mayWrite(k kind, l line) bool {
	return l.owner == r.Donor || (r.RestoreUUID != "" && l.owner == r.RestoreUUID && k == locationLog && l.status == annex.StatusPresent)
}

func checkFile(r Rules, limit annex.Timestamp, f File) []string {
	k := classify(f.Path)
	if k == notALog {
		return []string{fmt.Sprintf("%s is not a git-annex log: a donor's branch may only hold git-annex's own files", f.Path)}
	}
	if f.New != nil && f.Mode != "100644" {
		return []string{fmt.Sprintf("%s must be a plain file (mode 100644), not mode %s", f.Path, f.Mode)}
	}
	known, knownNewest := knownLines(k, f)
	// An older line of another repository than one already known changes
	// nothing (git-annex reads the newest per repository): a union merge
	// brings such lines back after the hub compacted them away.
	shadowed := func(l line) bool {
		newest, ok := knownNewest[l.owner]
		return ok && l.owner != r.Donor && l.at.Before(newest)
	}
	newLines := parseLines(k, f.New)
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, f.Path+": "+fmt.Sprintf(format, args...))
	}

	// What is new must be the donor's own, and sensible.
lines:
	for _, l := range newLines {
		if known[l.norm] {
			continue
		}
		switch {
		case k == hubOnly:
			add("only the archive may change this file")
		case !l.ok:
			add("malformed line %q", clip(l.norm))
		case shadowed(l):
			continue
		case !r.mayWrite(k, l):
			add("adds a line for another repository (%s): a donor may change only its own lines", l.owner)
		case limit.Before(l.at):
			add("timestamp %s is more than a day in the future", l.at)
		case f.Path == "group.log" && !regionsOnly(l.norm):
			add("a donor may put itself only in its region's group (%s<region>)", annex.RegionGroupPrefix)
		case k == locationLog && l.status == annex.StatusPresent && !annex.InShard(annex.ParseLog(f.Hub)):
			add("claims a key that is not in this shard")
		default:
			continue
		}
		if k == hubOnly {
			break lines // one sentence per file is enough
		}
	}

	return append(problems, removals(r, k, f, newLines)...)
}

// removals: nothing of anyone else's may go away. Per owner, the newest
// line the base had must still be there, or superseded by a newer one.
func removals(r Rules, k kind, f File, newLines []line) []string {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, f.Path+": "+fmt.Sprintf(format, args...))
	}
	newest := map[string]annex.Timestamp{}
	for _, l := range newLines {
		if cur, ok := newest[l.owner]; l.ok && (!ok || cur.Before(l.at)) {
			newest[l.owner] = l.at
		}
	}
	newSet := map[string]bool{}
	for _, l := range newLines {
		newSet[l.norm] = true
	}
	reported := map[string]bool{}
	for _, l := range parseLines(k, f.Base) {
		if newSet[l.norm] || reported[l.owner] {
			continue
		}
		switch {
		case k == hubOnly || !l.ok:
			add("removes or changes a line only the archive may change")
			return problems
		case l.owner == r.Donor:
			continue // its own
		}
		if cur, ok := newest[l.owner]; !ok || cur.Before(l.at) {
			add("removes or rewinds the line of another repository (%s)", l.owner)
			reported[l.owner] = true
		}
	}
	return problems
}

// knownLines are the lines the hub already has at f's path (its branch,
// every donor ref, the push's base), and per owner the newest of them.
func knownLines(k kind, f File) (map[string]bool, map[string]annex.Timestamp) {
	known := map[string]bool{}
	newest := map[string]annex.Timestamp{}
	for _, data := range append(f.Known, f.Base, f.Hub) {
		for _, l := range parseLines(k, data) {
			known[l.norm] = true
			if cur, ok := newest[l.owner]; l.ok && (!ok || cur.Before(l.at)) {
				newest[l.owner] = l.at
			}
		}
	}
	return known, newest
}

// regionsOnly reports whether a normalised group.log line names at most
// one group, a region's.
func regionsOnly(norm string) bool {
	f := strings.Fields(norm)
	groups := f[1 : len(f)-1] // between the UUID and the timestamp
	if len(groups) > 1 {
		return false
	}
	for _, g := range groups {
		if r, ok := strings.CutPrefix(g, annex.RegionGroupPrefix); !ok || !annex.ValidRegion(r) {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
