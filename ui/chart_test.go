package ui

import (
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestChartBarsFillEveryDay(t *testing.T) {
	bars := chartBars(sampleStatus().Activity, testNow)
	if len(bars) != chartDays {
		t.Fatalf("%d bars, want %d", len(bars), chartDays)
	}
	if first := bars[0].day.Format("2006-01-02"); first != "2026-03-01" {
		t.Errorf("first bar is %s, want 2026-03-01", first)
	}
	last := bars[len(bars)-1]
	if !last.today || last.bytes != 1_700_000_000 || last.day.Day() != 14 {
		t.Errorf("last bar %+v, want today with 1.7 GB", last)
	}
	if bars[3].bytes != 1_200_000_000 || bars[4].bytes != 2_600_000_000 || bars[5].bytes != 0 {
		t.Errorf("bars 3-5: %d %d %d", bars[3].bytes, bars[4].bytes, bars[5].bytes)
	}
}

func TestActivityText(t *testing.T) {
	for _, tc := range []struct {
		days []control.DayActivity
		want string
	}{
		{nil, "Nothing fetched in the last 14 days."},
		{[]control.DayActivity{{Day: "2026-03-02", BytesFetched: 5_000_000}}, "Nothing fetched in the last 7 days; 5.0 MB in the last 14."},
		{sampleStatus().Activity, "6.1 GB fetched in the last 7 days."},
		{[]control.DayActivity{{Day: "2025-01-01", BytesFetched: 5}}, "Nothing fetched in the last 14 days."},
	} {
		if got := activityText(tc.days, testNow); got != tc.want {
			t.Errorf("activityText = %q, want %q", got, tc.want)
		}
	}
}
