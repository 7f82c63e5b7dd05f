// Package region suggests a donor's coarse region (one of annex.Regions)
// from the computer's time zone. It is only a suggestion the donor can
// change, and never more precise than a continent.
package region

import (
	"os"
	"path/filepath"
	"strings"
)

// southAmerica are the America/* zones south of Panama.
var southAmerica = map[string]bool{
	"Araguaina": true, "Asuncion": true, "Bahia": true, "Belem": true, "Boa_Vista": true, "Bogota": true,
	"Buenos_Aires": true, "Campo_Grande": true, "Caracas": true, "Cayenne": true, "Cuiaba": true,
	"Eirunepe": true, "Fortaleza": true, "Guayaquil": true, "Guyana": true, "La_Paz": true, "Lima": true,
	"Maceio": true, "Manaus": true, "Montevideo": true, "Noronha": true, "Paramaribo": true,
	"Porto_Velho": true, "Punta_Arenas": true, "Recife": true, "Rio_Branco": true, "Santarem": true,
	"Santiago": true, "Sao_Paulo": true, "Catamarca": true, "Cordoba": true, "Jujuy": true, "Mendoza": true,
	"Rosario": true,
}

// atlantic maps Atlantic/* zones to their region.
var atlantic = map[string]string{
	"Azores": "europe", "Canary": "europe", "Faroe": "europe", "Madeira": "europe", "Reykjavik": "europe",
	"Bermuda": "north-america", "Cape_Verde": "africa", "St_Helena": "africa",
	"South_Georgia": "south-america", "Stanley": "south-america",
}

// indianAfrica are the Indian/* zones off Africa; the others are Asia's.
var indianAfrica = map[string]bool{"Antananarivo": true, "Comoro": true, "Mauritius": true, "Mayotte": true, "Reunion": true, "Mahe": true}

// Suggest maps an IANA time zone name ("Europe/Berlin") to a region slug,
// or "" when the zone says nothing useful (UTC, Antarctica, unknown).
func Suggest(zone string) string {
	area, city, _ := strings.Cut(zone, "/")
	last := city[strings.LastIndex(city, "/")+1:]
	switch area {
	case "Europe":
		return "europe"
	case "Africa":
		return "africa"
	case "Asia":
		return "asia"
	case "Australia", "Pacific":
		if last == "Honolulu" || last == "Galapagos" || last == "Easter" {
			return map[string]string{"Honolulu": "north-america", "Galapagos": "south-america", "Easter": "south-america"}[last]
		}
		return "oceania"
	case "America":
		if southAmerica[last] || strings.HasPrefix(city, "Argentina/") {
			return "south-america"
		}
		if city != "" {
			return "north-america"
		}
	case "Canada", "US", "Mexico":
		return "north-america"
	case "Brazil", "Chile":
		return "south-america"
	case "Atlantic":
		return atlantic[last]
	case "Indian":
		if indianAfrica[last] {
			return "africa"
		}
		return "asia"
	}
	return ""
}

// LocalZone is the computer's IANA time zone name: $TZ, or where
// /etc/localtime points ("" when neither says, as on Windows).
func LocalZone() string {
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); tz != "" && !filepath.IsAbs(tz) {
		return tz
	}
	target, err := filepath.EvalSymlinks("/etc/localtime")
	if err != nil {
		return ""
	}
	if _, zone, ok := strings.Cut(filepath.ToSlash(target), "zoneinfo/"); ok {
		return zone
	}
	return ""
}

// Local is the suggestion for this computer ("" when none).
func Local() string { return Suggest(LocalZone()) }
