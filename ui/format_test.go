package ui

import (
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestBytesText(t *testing.T) {
	for n, want := range map[int64]string{
		-5: "0 B", 0: "0 B", 999: "999 B", 1000: "1.0 kB", 4_100_000: "4.1 MB", 48_200_000_000: "48.2 GB",
		99_960_000: "100 MB", 482_000_000_000: "482 GB", 999_600_000: "1.0 GB", 3_500_000_000_000: "3.5 TB",
	} {
		if got := bytesText(n); got != want {
			t.Errorf("bytesText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestStateText(t *testing.T) {
	until := testNow.Add(30 * time.Minute)
	tomorrow := time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)
	later := time.Date(2026, 3, 20, 9, 30, 0, 0, time.UTC)
	shards := []control.ShardStatus{{Name: "s", Files: 10, FilesHeld: 5}}
	for _, tc := range []struct {
		name string
		s    control.Status
		want string
	}{
		{"fetching", control.Status{State: control.StateFetching, Transfers: []control.Transfer{
			{BytesPerSec: 1_500_000}, {BytesPerSec: 2_000_000}, {BytesPerSec: 600_000}}}, "Fetching 3 files (4.1 MB/s)"},
		{"fetching one", control.Status{State: control.StateFetching, Transfers: []control.Transfer{{}}}, "Fetching 1 file"},
		{"fetching unknown", control.Status{State: control.StateFetching, Message: "Fetching 3 files…"}, "Fetching files…"},
		{"idle", control.Status{State: control.StateIdle}, "Up to date"},
		{"budget full", control.Status{State: control.StateIdle, BudgetBytes: 100, BytesHeld: 99, Shards: shards}, "Donated space is full"},
		{"paused", control.Status{State: control.StatePaused, Paused: true}, "Paused until you resume"},
		{"snoozed", control.Status{State: control.StatePaused, Paused: true, PausedUntil: &until}, "Paused — resumes at 14:30"},
		{"until tomorrow", control.Status{Paused: true, PausedUntil: &tomorrow}, "Paused — resumes tomorrow at 08:00"},
		{"until later", control.Status{Paused: true, PausedUntil: &later}, "Paused — resumes on Fri 20 Mar at 09:30"},
		{"drive", control.Status{State: control.StateIdle, Locations: []control.Location{
			{Path: "/home/d", Online: true}, {Path: "/media/d/Backup/sk", Online: false}}}, "Drive 'Backup' not connected"},
		{"verifying", control.Status{State: control.StateIdle, Verifying: &control.Progress{Done: 41, Total: 100}}, "Verifying 41%"},
		{"error", control.Status{State: control.StateError, Message: "The hub refused the push"}, "The hub refused the push"},
		{"error, no words", control.Status{State: control.StateError}, "Something went wrong; the agent will try again"},
		{"offline", control.Status{State: control.StateOffline}, "The agent is not running"},
		{"not joined", control.Status{State: control.StateNotJoined}, "Not joined to an archive yet"},
		{"leaving", control.Status{State: control.StateFetching, Leaving: true}, "Finishing up and giving your space back"},
		{"left", control.Status{State: control.StateIdle, Leaving: true, Left: true}, "You have left the archive: thank you for your help"},
		{"releasing", control.Status{State: control.StateIdle, Releasing: &control.Progress{Percent: 40}}, "Giving space back 40%"},
	} {
		if got := StateText(tc.s, testNow); got != tc.want {
			t.Errorf("%s: StateText = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDetailTextAddsOnlyNews(t *testing.T) {
	s := control.Status{State: control.StateIdle, Message: "Budget full: 4 MB of 4 MB used; 119 more files need copies."}
	if got := detailText(s, testNow); got != s.Message {
		t.Errorf("detailText = %q", got)
	}
	s = control.Status{State: control.StateError, Message: "The hub refused the push"}
	if got := detailText(s, testNow); got != "" {
		t.Errorf("detailText repeats the state line: %q", got)
	}
	s.HubProblem = "push to the hub: 503 Service Unavailable"
	if got := detailText(s, testNow); got != "The hub did not get the last report: push to the hub: 503 Service Unavailable" {
		t.Errorf("detailText with a hub problem: %q", got)
	}
}

func TestDriveName(t *testing.T) {
	for path, want := range map[string]string{
		"/media/ann/Backup/shardkeeper": "Backup",
		"/run/media/ann/Photos 2/sk":    "Photos 2",
		"/Volumes/Archive/Shardkeeper":  "Archive",
		"/mnt/usb":                      "usb",
		"/home/ann/Shardkeeper":         "Shardkeeper",
		`E:\Shardkeeper`:                "E:",
	} {
		if got := driveName(path); got != want {
			t.Errorf("driveName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestImpactAndCopiesText(t *testing.T) {
	for _, tc := range []struct {
		s    control.Status
		want string
	}{
		{control.Status{}, "Files arrive here as soon as Shardkeeper fetches them."},
		{control.Status{FilesProtected: 5}, "Every file you hold has at least 3 copies elsewhere. Thank you for the extra safety."},
		{control.Status{FilesProtected: 5, FilesFewCopies: 1}, "1 of your files has fewer than 3 copies anywhere else: you are one of its few copies."},
		{control.Status{FilesProtected: 5000, FilesFewCopies: 4321}, "4,321 of your files have fewer than 3 copies anywhere else: you are one of their few copies."},
		{control.Status{FilesProtected: 5, FilesFewCopies: 2, TargetCopies: 5}, "2 of your files have fewer than 5 copies anywhere else: you are one of their few copies."},
	} {
		if got := impactText(tc.s); got != tc.want {
			t.Errorf("impactText = %q, want %q", got, tc.want)
		}
	}
	for _, tc := range []struct {
		f    control.File
		want string
	}{
		{control.File{Held: true, Copies: 1}, "You hold the only donor copy"},
		{control.File{Held: true, Copies: 3}, "You are one of 3 copies"},
		{control.File{Copies: 0}, "No donor holds a copy yet"},
		{control.File{Copies: 1}, "1 donor copy"},
		{control.File{Copies: 4}, "4 donor copies"},
	} {
		if got := copiesText(tc.f); got != tc.want {
			t.Errorf("copiesText(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestLocationText(t *testing.T) {
	never := control.Location{Path: "/x", Online: true}
	if got := locationText(never, testNow); got != "Never verified yet" {
		t.Errorf("never verified: %q", got)
	}
	due := control.Location{Path: "/x", Online: true, LastVerified: at("2026-02-01 10:00:00"), NextVerification: at("2026-03-03 10:00:00")}
	if got := locationText(due, testNow); got != "Verified 1 month ago · next check due now" {
		t.Errorf("overdue: %q", got)
	}
}

// TestRelTimeSteadyWithinAMinute: the polled window's relative times do
// not count seconds, so an idle window's text stays the same between polls.
func TestRelTimeSteadyWithinAMinute(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(-12 * time.Second), "just now"},
		{now.Add(-59 * time.Second), "just now"},
		{now.Add(30 * time.Second), "just now"},
		{now.Add(-3 * time.Minute), "3 minutes ago"},
		{now.Add(49 * time.Hour), "2 days from now"},
	} {
		if got := relTime(c.at, now); got != c.want {
			t.Errorf("relTime(now%+v) = %q, want %q", c.at.Sub(now), got, c.want)
		}
	}
}
