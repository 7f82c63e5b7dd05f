// Package words says numbers and durations the way a person would read
// them in a message: "1 file", "1,234 files", "1 hour 30 minutes".
package words

import (
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// Count is n followed by the singular or plural noun, with thousands
// separators.
func Count(n int64, one, many string) string {
	return humanize.Comma(n) + " " + Agree(n, one, many)
}

// Agree picks the form that agrees with n: a noun or a verb ("needs" for
// one file, "need" for several).
func Agree(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Duration rounds d to minutes and says it in days, hours and minutes
// ("2 days 3 hours", "1 hour", "45 minutes"; "less than a minute").
func Duration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "less than a minute"
	}
	days, d := d/(24*time.Hour), d%(24*time.Hour)
	hours, mins := d/time.Hour, (d%time.Hour)/time.Minute
	var parts []string
	for _, p := range []struct {
		n         time.Duration
		one, many string
	}{{days, "day", "days"}, {hours, "hour", "hours"}, {mins, "minute", "minutes"}} {
		if p.n > 0 {
			parts = append(parts, Count(int64(p.n), p.one, p.many))
		}
	}
	if len(parts) > 2 {
		parts = parts[:2] // "2 days 3 hours" is precise enough
	}
	return strings.Join(parts, " ")
}

// FileOrKey names a file to a person: its path in the shard, or its key
// when the path is not known.
func FileOrKey(file, key string) string {
	if file != "" {
		return file
	}
	return key
}
