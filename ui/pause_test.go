package ui

import (
	"testing"
	"time"
)

func TestTomorrowMorning(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	for _, tc := range []struct{ now, want time.Time }{
		{testNow, time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 31, 23, 50, 0, 0, time.UTC), time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)},
		// The night the clocks go forward: still 08:00 local.
		{time.Date(2026, 3, 28, 22, 0, 0, 0, berlin), time.Date(2026, 3, 29, 8, 0, 0, 0, berlin)},
	} {
		if got := tomorrowMorning(tc.now); !got.Equal(tc.want) {
			t.Errorf("tomorrowMorning(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}
