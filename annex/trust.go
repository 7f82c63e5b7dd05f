package annex

import "strings"

// Trust levels of trust.log.
const (
	TrustTrusted     = '1'
	TrustUntrusted   = '0'
	TrustSemitrusted = '?'
	TrustDead        = 'X'
)

// TrustEntry is one UUID's newest trust.log line.
type TrustEntry struct {
	Level byte
	At    Timestamp
}

// TrustLog is trust.log resolved: the newest level per UUID. A UUID not
// listed is semitrusted.
type TrustLog map[string]TrustEntry

// Merge folds trust.log lines "<uuid> <level> timestamp=<ts>s" in, the
// newest per UUID winning, as git-annex's union merge does.
func (t TrustLog) Merge(data []byte) {
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || len(f[1]) != 1 {
			continue
		}
		var ts Timestamp
		if len(f) >= 3 && strings.HasPrefix(f[2], "timestamp=") {
			ts, _ = ParseTimestamp(strings.TrimPrefix(f[2], "timestamp="))
		}
		if cur, ok := t[f[0]]; ok && ts.Before(cur.At) {
			continue
		}
		t[f[0]] = TrustEntry{Level: f[1][0], At: ts}
	}
}

// Counts reports whether uuid's copies count toward the number of copies:
// dead and untrusted repositories do not, as in git-annex. This is the
// one counting rule both the agent and the hub apply.
func (t TrustLog) Counts(uuid string) bool {
	e, ok := t[uuid]
	return !ok || (e.Level != TrustDead && e.Level != TrustUntrusted)
}

// InShard reports whether a location log registers the key on the web,
// whatever the line's status: that is what makes a key part of a shard
// (the archive losing a file does not take it out of the shard).
func InShard(lines []LogLine) bool {
	for _, l := range lines {
		if l.Value == WebUUID {
			return true
		}
	}
	return false
}
