package annex

import (
	"bytes"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// WebUUID is git-annex's built-in web special remote: the archive's own copy.
const WebUUID = "00000000-0000-0000-0000-000000000001"

// Location-log statuses.
const (
	StatusPresent = '1'
	StatusMissing = '0'
	StatusDead    = 'X'
)

// Timestamp is a git-annex log timestamp: POSIX seconds with up to nine
// decimals. It is kept as written so a re-stated line round-trips exactly.
type Timestamp struct {
	Sec  int64
	Nsec int64
}

// TimestampOf converts a time.Time.
func TimestampOf(t time.Time) Timestamp {
	return Timestamp{Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
}

// Time converts back to a time.Time.
func (ts Timestamp) Time() time.Time { return time.Unix(ts.Sec, ts.Nsec) }

// Before orders timestamps.
func (ts Timestamp) Before(o Timestamp) bool {
	return ts.Sec < o.Sec || (ts.Sec == o.Sec && ts.Nsec < o.Nsec)
}

// String formats as git-annex writes it: "1795239857.9953103s".
func (ts Timestamp) String() string {
	if ts.Nsec == 0 {
		return strconv.FormatInt(ts.Sec, 10) + "s"
	}
	frac := strings.TrimRight(fmt.Sprintf("%09d", ts.Nsec), "0")
	return strconv.FormatInt(ts.Sec, 10) + "." + frac + "s"
}

// ParseTimestamp accepts "123", "123s", "123.45s" (and git-annex's
// occasional longer fractions, truncated to nanoseconds).
func ParseTimestamp(s string) (Timestamp, error) {
	s = strings.TrimSuffix(s, "s")
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return Timestamp{}, fmt.Errorf("bad timestamp %q", s)
	}
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		frac += strings.Repeat("0", 9-len(frac))
		n, ok := new(big.Int).SetString(frac, 10)
		if !ok {
			return Timestamp{}, fmt.Errorf("bad timestamp %q", s)
		}
		nsec = n.Int64()
	}
	return Timestamp{Sec: sec, Nsec: nsec}, nil
}

// LogLine is one line of a location log (or of a URL log, where Value is
// the URL instead of a UUID).
type LogLine struct {
	Time   Timestamp
	Status byte
	Value  string
}

// String formats the line without a newline.
func (l LogLine) String() string {
	return l.Time.String() + " " + string(l.Status) + " " + l.Value
}

// ParseLog parses a location or URL log. Malformed lines are skipped, as
// git-annex does.
// It splits lines itself: a bufio.Scanner's buffer per call cost 64 KiB per
// log, gigabytes when the hub reads 100k logs.
func ParseLog(data []byte) []LogLine {
	var out []LogLine
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if l, ok := parseLogLine(string(bytes.TrimSuffix(line, []byte("\r")))); ok {
			out = append(out, l)
		}
	}
	return out
}

func parseLogLine(s string) (LogLine, bool) {
	ts, rest, ok := strings.Cut(s, " ")
	if !ok {
		return LogLine{}, false
	}
	status, value, ok := strings.Cut(rest, " ")
	if !ok || len(status) != 1 || value == "" {
		return LogLine{}, false
	}
	t, err := ParseTimestamp(ts)
	if err != nil {
		return LogLine{}, false
	}
	return LogLine{Time: t, Status: status[0], Value: value}, true
}

// Compact keeps the newest line per value (UUID or URL), as git-annex
// resolves a log; the result is sorted by value for stable output.
func Compact(lines []LogLine) []LogLine {
	newest := make(map[string]LogLine, len(lines))
	for _, l := range lines {
		if cur, ok := newest[l.Value]; !ok || cur.Time.Before(l.Time) {
			newest[l.Value] = l
		}
	}
	out := make([]LogLine, 0, len(newest))
	for _, l := range newest {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// FormatLog writes lines one per line, newline-terminated.
func FormatLog(lines []LogLine) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Present returns the UUIDs whose newest line says present.
func Present(lines []LogLine) []string {
	var out []string
	for _, l := range Compact(lines) {
		if l.Status == StatusPresent {
			out = append(out, l.Value)
		}
	}
	return out
}
