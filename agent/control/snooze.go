package control

import (
	"strings"
	"time"
)

// TomorrowHour is when "until tomorrow" ends: the next morning.
const TomorrowHour = 8

// SnoozeUntil turns a snooze choice ("30m", "1h", "3h", "until-tomorrow",
// or any Go duration) into the time the pause ends, in now's location.
func SnoozeUntil(spec string, now time.Time) (time.Time, error) {
	s := strings.TrimSpace(strings.ToLower(spec))
	if s == "until-tomorrow" || s == "tomorrow" {
		y, m, d := now.Date()
		return time.Date(y, m, d+1, TomorrowHour, 0, 0, 0, now.Location()), nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur <= 0 {
		return time.Time{}, Invalidf("%q is not a snooze: use 30m, 1h, 3h or until-tomorrow", spec)
	}
	return now.Add(dur), nil
}
