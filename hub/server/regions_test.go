package server

import (
	"fmt"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

// TestAssignmentSpreadsRegionsAndHealthCountsThem: two shards of two
// files, target 2, donors joining from Europe, Asia, Europe, Asia. Plain
// need-based assignment would give the second European the first shard
// again (both copies in Europe); region spread gives each shard one donor
// of each region, so every file's two copies are in different regions.
// Health counts copies per region from group.log (a donor that forgot its
// registration region still counts where its repository's group says),
// else from the registration.
func TestAssignmentSpreadsRegionsAndHealthCountsThem(t *testing.T) {
	h := startHubWith(t, 2, func(c *Config) { c.TargetCopies = 2 })
	regions := []string{"europe", "asia", "europe", "asia"}
	var donors []*donor
	byShard := map[string][]string{}
	for i, region := range regions {
		name := fmt.Sprintf("%s%d", region, i)
		code, reg, body := h.registerWith(t, `{"name":"`+name+`","region":"`+region+`"}`)
		if code != 201 {
			t.Fatalf("register %s: %d %s", name, code, body)
		}
		byShard[reg.Shard.Name] = append(byShard[reg.Shard.Name], region)
		donors = append(donors, h.joinAs(t, name, reg))
	}
	for _, s := range []string{"shard-0001", "shard-0002"} {
		if got := fmt.Sprint(byShard[s]); got != "[europe asia]" && got != "[asia europe]" {
			t.Fatalf("%s went to donors in %s, want one in each region (%v)", s, got, byShard)
		}
	}
	// The first donor forgets its region at the hub; its repository's
	// group still says Europe. The last one never groups itself.
	if code, rec := donors[0].api("PATCH", "/api/v1/donors/"+donors[0].reg.UUID, `{"region":""}`); code != 200 || rec["region"] != "" {
		t.Fatalf("patch region: %d %v", code, rec)
	}
	for i, d := range donors {
		d.get(".")
		if i < 3 {
			d.annex("group", "here", annex.RegionGroup(regions[i]))
		}
		d.annex("merge", "-q")
		d.accepted("")
	}
	r := h.healthReport(t)
	for _, s := range r.Shards {
		if s.CopiesByRegion["europe"] != 2 || s.CopiesByRegion["asia"] != 2 || len(s.CopiesByRegion) != 2 {
			t.Errorf("%s copies by region %v, want europe 2, asia 2", s.Name, s.CopiesByRegion)
		}
	}
	if c := r.Collections[0]; c.CopiesByRegion["europe"] != 4 || c.CopiesByRegion["asia"] != 4 || c.FilesBelowTarget != 0 {
		t.Errorf("collection %+v", c)
	}
	t.Logf("4 files, 8 copies: every file has one copy in europe and one in asia (%v)", r.Total.CopiesByRegion)
}
