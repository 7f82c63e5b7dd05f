package health

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// UnknownRegion is the region of copies whose donor said none.
const UnknownRegion = "unknown"

// CollectionHealth is one collection: the sum of its shards.
type CollectionHealth struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Shards      int    `json:"shards"`
	Counts
	// FilesBelowTarget counts files with fewer donor copies than the target.
	FilesBelowTarget int `json:"files_below_target"`
	// FilesTooLarge counts the collection's files no registered donor could
	// hold (Report.FilesTooLarge lists them).
	FilesTooLarge int `json:"files_too_large"`
}

// TooLarge is a file no registered donor could hold: bigger than every
// donor's free room in its budget and than every donor's large-file
// opt-in, and held by none.
type TooLarge struct {
	Shard string    `json:"shard"`
	Key   annex.Key `json:"key"`
	Path  string    `json:"path"`
	Size  int64     `json:"size"`
}

// readGroups reads group.log of the hub's branch and of every donor ref
// afresh (a branch without one is skipped): one small file per branch, so
// neither a restart nor a push needs a stored copy of the donors' regions.
func (v *view) readGroups(ctx context.Context, head string, donors map[string]string) error {
	names := []string{head + ":group.log"}
	for _, sha := range donors {
		names = append(names, sha+":group.log")
	}
	groups := annex.GroupLog{}
	err := annex.Cat(ctx, v.git, names, func(_ int, data []byte, found bool) error {
		if found {
			groups.Merge(data)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read group.log: %w", err)
	}
	v.groups = groups
	return nil
}

// region is where uuid's copies are: its group.log region, else the one
// it registered with.
func (j judge) region(v *view, uuid string) string {
	if r := v.groups.Region(uuid); r != "" {
		return r
	}
	if r := j.donors[uuid].Region; r != "" {
		return r
	}
	return UnknownRegion
}

// addRegions counts ks's counting copies per region into byRegion.
func (j judge) addRegions(v *view, ks *keyState, byRegion map[string]int) {
	for _, l := range ks.lines {
		if l.Status == annex.StatusPresent && j.counts(v, l.Value) {
			byRegion[j.region(v, l.Value)]++
		}
	}
}

// capacity is the largest file some registered donor could take: the most
// of its budget's free room and its large-file opt-in. ok is false when no
// donor said its budget or opted in (then nothing is judged too large).
func capacity(donors []store.Donor, held map[string]*TopDonor, j judge) (most int64, ok bool) {
	for _, d := range donors {
		if d.Leaving() || j.isExpired(d) || (d.BudgetBytes <= 0 && d.MaxFileBytes <= 0) {
			continue
		}
		free := d.BudgetBytes
		if h := held[d.UUID]; h != nil {
			free -= h.Bytes
		}
		most, ok = max(most, free, d.MaxFileBytes), true
	}
	return most, ok
}

// tooLarge lists the files no registered donor could hold, by shard and
// key, each with its path. It asks the state for the files bigger than
// the largest capacity (few, by design), then for their holders.
func (t *Tracker) tooLarge(donors []store.Donor, held map[string]*TopDonor, j judge) ([]TooLarge, error) {
	out := []TooLarge{}
	most, ok := capacity(donors, held, j)
	if !ok {
		return out, nil
	}
	for _, v := range t.views() {
		v.mu.Lock()
		name := v.info.Name
		v.mu.Unlock()
		big, err := t.state.HealthKeysOver(name, most)
		if err != nil {
			return out, fmt.Errorf("health of %s: %w", name, err)
		}
		for _, k := range big {
			lines, err := t.state.HealthKeyLines(name, k.Key)
			if err != nil {
				return out, fmt.Errorf("health of %s: %w", name, err)
			}
			ks := &keyState{size: k.Size}
			for _, l := range lines {
				ks.lines = append(ks.lines, logLine(l))
			}
			v.mu.Lock()
			n, _ := j.keyCopies(v, ks)
			v.mu.Unlock()
			if n == 0 {
				out = append(out, TooLarge{Shard: name, Key: annex.Key(k.Key), Path: k.Path, Size: k.Size})
			}
		}
	}
	slices.SortFunc(out, func(a, b TooLarge) int {
		return cmp.Or(strings.Compare(a.Shard, b.Shard), strings.Compare(string(a.Key), string(b.Key)))
	})
	return out, nil
}

// collections sums r's shards per collection, ranked by need; donors
// count in each collection they hold a shard of.
func (t *Tracker) collections(r Report, donors []store.Donor, j judge) []CollectionHealth {
	var infos []shard.Info
	for _, s := range r.Shards {
		infos = append(infos, shard.Info{Name: s.Name, Collection: s.Collection})
	}
	list, err := shard.ReadCollections(t.dataDir, infos)
	if err != nil { // descriptions unreadable: names only
		list = nil
		for _, info := range infos {
			if !slices.ContainsFunc(list, func(c shard.Collection) bool { return c.Name == info.Collection }) {
				list = append(list, shard.Collection{Name: info.Collection})
			}
		}
	}
	byName := map[string]*CollectionHealth{}
	out := make([]CollectionHealth, len(list))
	for i, c := range list {
		out[i] = CollectionHealth{Name: c.Name, Description: c.Description, Counts: newCounts(r.TargetCopies)}
		byName[c.Name] = &out[i]
	}
	for _, s := range r.Shards {
		c := byName[s.Collection]
		c.Shards++
		c.add(s.Counts)
		c.FilesBelowTarget += s.Files - s.ByCopies[len(s.ByCopies)-1].Files
		c.DonorsFailingProofs += s.DonorsFailingProofs
	}
	collOf := map[string]string{}
	for _, s := range r.Shards {
		collOf[s.Name] = s.Collection
	}
	for _, f := range r.FilesTooLarge {
		byName[collOf[f.Shard]].FilesTooLarge++
	}
	for _, d := range donors {
		in := map[string]bool{}
		for _, name := range d.Shards {
			if c, ok := collOf[name]; ok && !in[c] {
				in[c] = true
				if j.isExpired(d) {
					byName[c].DonorsExpired++
				} else {
					byName[c].DonorsActive++
				}
			}
		}
	}
	RankCollections(out)
	return out
}

// RankCollections orders collections by need: the bytes lacking copies,
// then the files below the target, most first, then by name.
func RankCollections(cs []CollectionHealth) {
	sort.SliceStable(cs, func(a, b int) bool {
		x, y := cs[a], cs[b]
		if x.BytesLackingCopies != y.BytesLackingCopies {
			return x.BytesLackingCopies > y.BytesLackingCopies
		}
		if x.FilesBelowTarget != y.FilesBelowTarget {
			return x.FilesBelowTarget > y.FilesBelowTarget
		}
		return x.Name < y.Name
	})
}
