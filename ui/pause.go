package ui

import "time"

// pauseChoice is one entry of the Pause ▸ menu (tray and window).
type pauseChoice struct {
	label string
	// until is when the pause ends; nil means until the donor resumes.
	until func(now time.Time) time.Time
}

// morningHour is when "until tomorrow" ends: a donor who pauses for the
// evening wants the work back by the next morning.
const morningHour = 8

var pauseChoices = []pauseChoice{
	{"30 minutes", after(30 * time.Minute)},
	{"1 hour", after(time.Hour)},
	{"3 hours", after(3 * time.Hour)},
	{"Until tomorrow", tomorrowMorning},
	{"Until I resume", nil},
}

func after(d time.Duration) func(time.Time) time.Time {
	return func(now time.Time) time.Time { return now.Add(d) }
}

// tomorrowMorning is 08:00 on the next calendar day, in now's location
// (time.Date normalises the 32nd of a month and daylight-saving shifts).
func tomorrowMorning(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d+1, morningHour, 0, 0, 0, now.Location())
}
