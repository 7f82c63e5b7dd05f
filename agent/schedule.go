package agent

import (
	"fmt"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// window is a daily time window in local time, "01:00-07:00"; it may wrap
// past midnight ("22:00-06:00").
type window struct{ start, end int } // minutes after midnight

// parseSchedule reads Settings.Schedule; "" means always (ok false).
func parseSchedule(s string) (w window, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return window{}, false, nil
	}
	a, b, found := strings.Cut(s, "-")
	if !found {
		return window{}, false, control.Invalidf("schedule %q: use HH:MM-HH:MM, e.g. 01:00-07:00", s)
	}
	if w.start, err = parseClock(a); err == nil {
		w.end, err = parseClock(b)
	}
	if err != nil || w.start == w.end {
		return window{}, false, control.Invalidf("schedule %q: use HH:MM-HH:MM, e.g. 01:00-07:00", s)
	}
	return w, true, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (w window) contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.start < w.end {
		return m >= w.start && m < w.end
	}
	return m >= w.start || m < w.end
}

// nextChange is the next time the window opens or closes after t.
func (w window) nextChange(t time.Time) time.Time {
	y, mo, d := t.Date()
	var best time.Time
	for _, m := range []int{w.start, w.end} {
		c := time.Date(y, mo, d, m/60, m%60, 0, 0, t.Location())
		if !c.After(t) {
			c = c.AddDate(0, 0, 1)
		}
		if best.IsZero() || c.Before(best) {
			best = c
		}
	}
	return best
}

// fetchPolicy says whether downloads may run at now under the donor's
// schedule, and at how many bytes per second (0: unlimited). Inside the
// window the global limit applies; outside it the off-hours rate (0: no
// downloads), never above the global limit.
func fetchPolicy(s control.Settings, now time.Time) (allowed bool, rate int64, why string) {
	w, scheduled, err := parseSchedule(s.Schedule)
	if err != nil || !scheduled || w.contains(now) {
		return true, int64(max(s.BandwidthKBps, 0)) * 1024, ""
	}
	if s.OffHoursKBps <= 0 {
		return false, 0, fmt.Sprintf("Waiting for the download hours (%s).", strings.TrimSpace(s.Schedule))
	}
	kbps := s.OffHoursKBps
	if s.BandwidthKBps > 0 && s.BandwidthKBps < kbps {
		kbps = s.BandwidthKBps
	}
	return true, int64(kbps) * 1024, ""
}
