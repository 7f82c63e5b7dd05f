package shard

import (
	"slices"
	"sort"

	"github.com/shardkeeper/shardkeeper/annex"
)

// changes is what an update writes.
type changes struct {
	write                       []*record   // paths that are new or hold new content
	remove                      []string    // paths that are gone
	logKeys                     []annex.Key // keys whose URLs (or presence) must be registered
	added, changed, urlsChanged int
}

func diff(old oldShard, ct content) changes {
	var d changes
	seen := make(map[string]bool, len(ct.recs))
	for _, r := range ct.recs {
		seen[r.path] = true
		o, had := old.files[r.path]
		switch {
		case !had:
			d.added++
			d.write = append(d.write, r)
		case o.key != r.key:
			d.changed++
			d.write = append(d.write, r)
		case o.url != r.url && (o.url != "" || !slices.Contains(old.urls[r.key], r.url)):
			d.urlsChanged++
		}
	}
	for p := range old.files {
		if !seen[p] {
			d.remove = append(d.remove, p)
		}
	}
	sort.Strings(d.remove)
	for _, k := range ct.keys {
		if !sameSet(old.urls[k], ct.urls[k]) {
			d.logKeys = append(d.logKeys, k)
		}
	}
	return d
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}
