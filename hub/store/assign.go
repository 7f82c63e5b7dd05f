package store

import "slices"

// Neediest is the hub's assignment policy. lacking maps every shard to the
// donor copies its files still lack to reach the target (the sum over files
// of target minus copies, never below zero). A donor gets the shard with the
// most lacking copies per donor already assigned to it (+1, for the donor
// being placed), so new donors spread over all under-served shards instead
// of piling onto one: every shard that lacks copies stays in the reserve a
// donor can be given. A finished shard (nothing lacking) is handed out only
// when no shard lacks copies and anyFallback is set (a new donor is still
// welcome: extra copies never hurt); then the shard with the fewest donors
// wins. Ties go to the lowest name, so shards fill in order.
func Neediest(lacking map[string]int64, anyFallback bool) Picker {
	return func(assigned map[string]int, exclude []string) (string, error) {
		names := make([]string, 0, len(lacking))
		for name := range lacking {
			if !slices.Contains(exclude, name) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		best := ""
		for _, n := range names {
			if lacking[n] <= 0 {
				continue
			}
			// a/(x+1) > b/(y+1)  <=>  a*(y+1) > b*(x+1), in integers.
			if best == "" || lacking[n]*int64(assigned[best]+1) > lacking[best]*int64(assigned[n]+1) {
				best = n
			}
		}
		if best != "" {
			return best, nil
		}
		if !anyFallback {
			return "", ErrNoShards
		}
		for _, n := range names {
			if best == "" || assigned[n] < assigned[best] {
				best = n
			}
		}
		if best == "" {
			return "", ErrNoShards
		}
		return best, nil
	}
}
