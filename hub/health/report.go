package health

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// topDonors is how many donors the board shows.
const topDonors = 10

// Compute reads every shard of dataDir from cold and reports. donors is the
// registry (see Tracker.Report).
func Compute(ctx context.Context, dataDir string, opts Options, donors []store.Donor) (Report, error) {
	t := NewTracker(dataDir, opts)
	defer t.Close()
	if err := t.Refresh(ctx); err != nil {
		return Report{}, err
	}
	return t.Health(donors)
}

// judge decides whose copies count, at one moment.
type judge struct {
	donors   map[string]store.Donor
	registry bool      // false: no registry given, every UUID counts
	expired  time.Time // heard from before this: expired
	verified annex.Timestamp
}

func (t *Tracker) judge(donors []store.Donor, now time.Time) judge {
	j := judge{donors: map[string]store.Donor{}, registry: donors != nil,
		expired: now.Add(-t.opts.Expiry), verified: annex.TimestampOf(now.Add(-VerifiedWithin))}
	for _, d := range donors {
		j.donors[d.UUID] = d
	}
	return j
}

func (j judge) isExpired(d store.Donor) bool { return d.HeardFrom().Before(j.expired) }

// counts reports whether uuid's copies count: not dead or untrusted in
// trust.log (as in git-annex), and, with a registry, a registered donor
// heard from within the expiry that is not failing its proofs of storage.
// A donor that checks in again, or passes a proof again, counts again.
func (j judge) counts(v *view, uuid string) bool {
	if !v.trust.Counts(uuid) {
		return false
	}
	if !j.registry {
		return true
	}
	d, ok := j.donors[uuid]
	return ok && !j.isExpired(d) && !d.FailingProofs()
}

// keyCopies is the number of counting donor copies of ks, and whether one
// of them was verified recently.
func (j judge) keyCopies(v *view, ks *keyState) (n int, verified bool) {
	for _, l := range ks.lines {
		if l.Status != annex.StatusPresent || !j.counts(v, l.Value) {
			continue
		}
		n++
		if !l.Time.Before(j.verified) {
			verified = true
		}
	}
	return n, verified
}

// Report says where things stand now. donors is the hub's registry: only
// registered donors heard from within the expiry count as copies. With nil
// (no registry, e.g. a data directory never served) every UUID counts. A
// shard whose state cannot be read is left out: Health says why.
func (t *Tracker) Report(donors []store.Donor) Report {
	r, _ := t.Health(donors)
	return r
}

// Health is Report, with the error reading the state. It reads only the
// donors' lines (the hot set); files no donor has a line for are counted
// from each shard's totals.
func (t *Tracker) Health(donors []store.Donor) (Report, error) {
	now := t.opts.Now()
	j := t.judge(donors, now)
	target := t.opts.TargetCopies
	r := Report{
		GeneratedAt:  now.UTC(),
		TargetCopies: target,
		ExpiryDays:   int(t.opts.Expiry / (24 * time.Hour)),
		Shards:       []ShardHealth{},
		Total:        Total{Counts: newCounts(target)},
		TopDonors:    []TopDonor{},
		Donors:       []DonorStanding{},
	}
	held := map[string]*TopDonor{}
	var firstErr error
	for _, v := range t.views() {
		c, err := t.shardCounts(v, j, held)
		if err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		for _, d := range donors {
			if d.Holds(v.info.Name) {
				if j.isExpired(d) {
					c.DonorsExpired++
				} else {
					c.DonorsActive++
				}
				if d.FailingProofs() {
					c.DonorsFailingProofs++
				}
			}
		}
		r.Shards = append(r.Shards, ShardHealth{Name: v.info.Name, Collection: v.info.Collection, Counts: c})
		r.Total.Shards++
		r.Total.add(c)
	}
	for _, d := range donors {
		if j.isExpired(d) {
			r.Total.DonorsExpired++
		} else {
			r.Total.DonorsActive++
		}
		if d.FailingProofs() {
			r.Total.DonorsFailingProofs++
		}
	}
	r.TopDonors = board(held, j)
	tooLarge, err := t.tooLarge(donors, held, j)
	firstErr = cmp.Or(firstErr, err)
	r.FilesTooLarge = tooLarge
	r.Collections = t.collections(r, donors, j)
	r.Donors = standings(donors, held, j)
	return r, firstErr
}

// shardCounts counts one shard: the keys with donor lines one by one, the
// rest (no donor copy) from the shard's totals. held adds up, per UUID, the
// copies that count.
func (t *Tracker) shardCounts(v *view, j judge, held map[string]*TopDonor) (Counts, error) {
	target := t.opts.TargetCopies
	v.mu.Lock()
	defer v.mu.Unlock()
	c := newCounts(target)
	c.Donors = v.donors
	seen, seenBytes := 0, int64(0)
	err := t.eachKeyLines(v.info.Name, func(_ annex.Key, ks *keyState) error {
		seen++
		seenBytes += ks.size
		n, verified := j.keyCopies(v, ks)
		c.addFile(ks.size, n, target)
		j.addRegions(v, ks, c.CopiesByRegion)
		switch {
		case verified:
			c.Verified30d++
		case n > 0:
			c.Unverified30d++
		}
		for _, l := range ks.lines {
			if l.Status == annex.StatusPresent && j.counts(v, l.Value) {
				h := held[l.Value]
				if h == nil {
					h = &TopDonor{}
					held[l.Value] = h
				}
				h.Files++
				h.Bytes += ks.size
			}
		}
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("health of %s: %w", v.info.Name, err)
	}
	c.addUncopied(v.files-seen, v.bytes-seenBytes, target)
	return c, nil
}

// board ranks donors by bytes held; names only for those who opted in.
func board(held map[string]*TopDonor, j judge) []TopDonor {
	type entry struct {
		uuid string
		TopDonor
	}
	var all []entry
	for uuid, h := range held {
		all = append(all, entry{uuid, *h})
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].Bytes != all[b].Bytes {
			return all[a].Bytes > all[b].Bytes
		}
		return all[a].uuid < all[b].uuid
	})
	out := []TopDonor{}
	for _, e := range all[:min(len(all), topDonors)] {
		e.Name = "anonymous"
		if d, ok := j.donors[e.uuid]; ok && d.ShowOnBoard && d.Name != "" {
			e.Name = d.Name
		}
		out = append(out, e.TopDonor)
	}
	return out
}

// Lacking maps every shard to the donor copies its files lack to reach the
// target: what the assignment policy ranks shards by.
func (t *Tracker) Lacking(donors []store.Donor) map[string]int64 {
	r := t.Report(donors)
	out := map[string]int64{}
	for _, s := range r.Shards {
		out[s.Name] = s.LackingCopies
	}
	return out
}

// views returns the shards in catalog order.
func (t *Tracker) views() []*view {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*view, 0, len(t.order))
	for _, name := range t.order {
		out = append(out, t.shards[name])
	}
	return out
}
