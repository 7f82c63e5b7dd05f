package annex

import (
	"sort"
	"strings"
)

// Regions are the coarse places a donor may say it is in. Each is a
// git-annex group "region-<slug>" in group.log, so that git-annex's own
// preferred content ("copies=region-europe:1") can use it.
var Regions = []string{"africa", "asia", "europe", "north-america", "oceania", "south-america"}

// RegionGroupPrefix starts the group name of a region.
const RegionGroupPrefix = "region-"

// RegionGroup is the git-annex group of a region slug.
func RegionGroup(region string) string { return RegionGroupPrefix + region }

// ValidRegion reports whether s is one of Regions.
func ValidRegion(s string) bool {
	i := sort.SearchStrings(Regions, s)
	return i < len(Regions) && Regions[i] == s
}

// GroupEntry is one UUID's newest group.log line.
type GroupEntry struct {
	Groups []string
	At     Timestamp
}

// GroupLog is group.log resolved: the newest set of groups per UUID.
type GroupLog map[string]GroupEntry

// Merge folds group.log lines "<uuid> <group> [group...] timestamp=<ts>s"
// in, the newest per UUID winning, as git-annex's union merge does.
func (g GroupLog) Merge(data []byte) {
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 1 {
			continue
		}
		var ts Timestamp
		groups := f[1:]
		if n := len(groups); n > 0 && strings.HasPrefix(groups[n-1], "timestamp=") {
			ts, _ = ParseTimestamp(strings.TrimPrefix(groups[n-1], "timestamp="))
			groups = groups[:n-1]
		}
		if cur, ok := g[f[0]]; ok && ts.Before(cur.At) {
			continue
		}
		g[f[0]] = GroupEntry{Groups: append([]string(nil), groups...), At: ts}
	}
}

// Region is the region slug of uuid's "region-*" group, or "" when it has
// none.
func (g GroupLog) Region(uuid string) string {
	for _, grp := range g[uuid].Groups {
		if r, ok := strings.CutPrefix(grp, RegionGroupPrefix); ok && ValidRegion(r) {
			return r
		}
	}
	return ""
}
