package region

import (
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

func TestSuggest(t *testing.T) {
	for zone, want := range map[string]string{
		"Europe/Berlin": "europe", "Africa/Lagos": "africa", "Asia/Tokyo": "asia", "Australia/Sydney": "oceania",
		"Pacific/Auckland": "oceania", "America/New_York": "north-america", "America/Mexico_City": "north-america",
		"America/Sao_Paulo": "south-america", "America/Argentina/Buenos_Aires": "south-america", "America/Bogota": "south-america",
		"America/Indiana/Indianapolis": "north-america", "Atlantic/Reykjavik": "europe", "Indian/Mauritius": "africa",
		"Indian/Maldives": "asia", "Pacific/Honolulu": "north-america", "UTC": "", "Etc/UTC": "", "Antarctica/Troll": "", "": "",
	} {
		got := Suggest(zone)
		if got != want {
			t.Errorf("Suggest(%q) = %q, want %q", zone, got, want)
		}
		if got != "" && !annex.ValidRegion(got) {
			t.Errorf("Suggest(%q) = %q, not one of annex.Regions", zone, got)
		}
	}
}

func TestLocalZoneFromTZ(t *testing.T) {
	t.Setenv("TZ", "America/Lima")
	if got := Local(); got != "south-america" {
		t.Errorf("Local() with TZ=America/Lima: %q", got)
	}
}
