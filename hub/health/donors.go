package health

import (
	"time"

	"github.com/shardkeeper/shardkeeper/hub/store"
)

// DonorStanding is one donor in the health report. The report is public:
// it never names a donor (nor gives its UUID) unless the donor opted in to
// the board, and then only by name.
type DonorStanding struct {
	Name    string   `json:"name"` // "anonymous" unless the donor opted in
	Shards  []string `json:"shards"`
	Files   int      `json:"files"` // copies that count now
	Bytes   int64    `json:"bytes"`
	Expired bool     `json:"expired"`
	Leaving bool     `json:"leaving"`
	// Counting is false when the donor's copies do not count: it expired
	// or is failing its proofs. (Copies marked untrusted in a shard's
	// trust.log, as a leaving donor's are, are left out of Files.)
	Counting bool `json:"counting"`
	// ProofFailuresInRow counts failed or unanswered proofs of storage
	// since the last pass; at store.MaxProofFailures the donor is failing.
	ProofFailuresInRow int        `json:"proof_failures_in_row"`
	FailingProofs      bool       `json:"failing_proofs"`
	LastProofPassed    *time.Time `json:"last_proof_passed"`
	LastProofFailed    *time.Time `json:"last_proof_failed"`
}

func standings(donors []store.Donor, held map[string]*TopDonor, j judge) []DonorStanding {
	out := make([]DonorStanding, 0, len(donors))
	for _, d := range donors {
		s := DonorStanding{Name: "anonymous", Shards: d.Shards, Expired: j.isExpired(d), Leaving: d.Leaving(),
			ProofFailuresInRow: d.Proof.FailsInRow, FailingProofs: d.FailingProofs(),
			LastProofPassed: timeOrNil(d.Proof.LastPassed), LastProofFailed: timeOrNil(d.Proof.LastFailed)}
		if s.Shards == nil {
			s.Shards = []string{}
		}
		if d.ShowOnBoard && d.Name != "" {
			s.Name = d.Name
		}
		if h := held[d.UUID]; h != nil {
			s.Files, s.Bytes = h.Files, h.Bytes
		}
		s.Counting = !s.Expired && !s.FailingProofs
		out = append(out, s)
	}
	return out
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
