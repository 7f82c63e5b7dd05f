package agent

import (
	"crypto/sha256"
	"encoding/binary"
	"sort"

	"github.com/shardkeeper/shardkeeper/annex"
)

// DefaultTargetCopies is how many donor copies a file should have besides
// the archive's own (IA.BAK's choice: 3 volunteers plus the archive).
const DefaultTargetCopies = 3

// Candidate is a file this donor could fetch.
type Candidate struct {
	Key    annex.Key
	Size   int64
	Copies int // donor copies today
}

// Plan is what one fill cycle will fetch, and why it stops there.
type Plan struct {
	Fetch        []Candidate
	FetchBytes   int64
	Wanted       int   // files needing copies that this donor does not hold
	SmallestLeft int64 // smallest wanted file that did not fit (0: none)
}

// MakePlan picks files to fetch: those with fewer than target donor copies
// that this donor lacks, rarest first, and among equally rare files in an
// order that differs per donor, so donors starting together spread out. It
// takes files in that order while they fit in room bytes.
func MakePlan(loc *annex.Locations, donor string, held map[annex.Key]int64, target int, room int64) Plan {
	var cands []Candidate
	for k := range loc.Logs {
		if _, ok := held[k]; ok {
			continue
		}
		copies := loc.DonorCopies(k)
		if copies >= target {
			continue
		}
		size, ok := k.Size()
		if !ok {
			continue // keys without a size cannot be budgeted
		}
		cands = append(cands, Candidate{Key: k, Size: size, Copies: copies})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Copies != cands[j].Copies {
			return cands[i].Copies < cands[j].Copies
		}
		hi, hj := donorOrder(donor, cands[i].Key), donorOrder(donor, cands[j].Key)
		if hi != hj {
			return hi < hj
		}
		return cands[i].Key < cands[j].Key
	})
	p := Plan{Wanted: len(cands)}
	for _, c := range cands {
		if c.Size <= room-p.FetchBytes {
			p.Fetch = append(p.Fetch, c)
			p.FetchBytes += c.Size
		} else if p.SmallestLeft == 0 || c.Size < p.SmallestLeft {
			p.SmallestLeft = c.Size
		}
	}
	return p
}

// donorOrder is a per-donor pseudo-random rank of a key.
func donorOrder(donor string, k annex.Key) uint64 {
	sum := sha256.Sum256([]byte(donor + "\x00" + string(k)))
	return binary.BigEndian.Uint64(sum[:8])
}
