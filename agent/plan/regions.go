package plan

import (
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// RegionPatience is how long a file that already has its region's share
// of copies in this donor's region waits for a donor elsewhere before this
// donor takes it anyway (so a file never stays short of copies only because
// the other regions are full).
const RegionPatience = 24 * time.Hour

// Places is where copies are: the donor's own region and the other
// donors' regions, from the shard's group.log.
type Places struct {
	Region string         // the donor's region ("": unknown; no spreading)
	Groups annex.GroupLog // the shard's group.log
	Now    time.Time
	// Patience overrides RegionPatience (tests).
	Patience time.Duration
}

// regions is how many regions the shard's donors are in, this one's too.
func (p *Places) regions() int {
	seen := map[string]bool{p.Region: true}
	for uuid := range p.Groups {
		if r := p.Groups.Region(uuid); r != "" {
			seen[r] = true
		}
	}
	return len(seen)
}

// inRegion counts a key's counted copies in the donor's region, other
// than its own; lines is the key's location log.
func (p *Places) inRegion(loc *annex.Locations, lines []annex.LogLine, donor string) int {
	if p == nil || p.Region == "" {
		return 0
	}
	n := 0
	for _, l := range lines {
		if l.Status == annex.StatusPresent && l.Value != donor && loc.Counts(l.Value) && p.Groups.Region(l.Value) == p.Region {
			n++
		}
	}
	return n
}

// crowded says a key (lines: its location log) already has its share of
// copies in the donor's region (the target spread evenly over the regions
// the shard's donors are in) and its newest copy is recent: a donor
// elsewhere should take it first.
func (p *Places) crowded(lines []annex.LogLine, inRegion, target int) bool {
	if p == nil || p.Region == "" || inRegion == 0 {
		return false
	}
	r := p.regions()
	if r < 2 {
		return false
	}
	share := (target + r - 1) / r
	if inRegion < share {
		return false
	}
	patience := p.Patience
	if patience == 0 {
		patience = RegionPatience
	}
	var newest annex.Timestamp
	for _, l := range lines {
		if l.Status == annex.StatusPresent && newest.Before(l.Time) {
			newest = l.Time
		}
	}
	return p.Now.Sub(newest.Time()) < patience
}
