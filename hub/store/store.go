// Package store is the hub's state: who the donors are, how they prove it
// (a token whose hash alone is kept), which shards each holds and when
// each last checked in, challenges, restores, collections and the health
// state. It lives in an embedded SQLite database (DATA/hub.db, a pure-Go
// driver, so the hub stays cgo-free) or, for several hub hosts, in
// PostgreSQL (pgx, pure Go too); dialect.go is all that differs.
package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"
)

// Donor is a registered donor. The token itself is never stored.
type Donor struct {
	UUID         string    `json:"uuid"`       // also the donor's git-annex repository UUID
	TokenHash    string    `json:"token_hash"` // hex SHA-256 of the token
	Name         string    `json:"name,omitempty"`
	ShowOnBoard  bool      `json:"show_on_board"` // the name may appear on the public health page
	Shards       []string  `json:"shards"`        // in the order they were assigned
	RegisteredAt time.Time `json:"registered_at"`
	LastSeen     time.Time `json:"last_seen"`  // last accepted push; zero when none yet
	LeavingAt    time.Time `json:"leaving_at"` // asked to leave; zero when not leaving
	Proof        Standing  `json:"proof"`
	// Region is where the donor said it is (one of annex.Regions), or "".
	Region string `json:"region"`
	// BudgetBytes is the space the donor gives; 0 when it did not say.
	BudgetBytes int64 `json:"budget_bytes"`
	// MaxFileBytes is the largest single file the donor opted in to hold;
	// 0 when it did not opt in.
	MaxFileBytes int64 `json:"max_file_bytes"`
	// LeavingShards are the shards of Shards the donor is giving back.
	LeavingShards []string `json:"leaving_shards,omitempty"`
}

// FailingProofs reports whether the donor failed too many proofs of
// storage in a row for its copies to count.
func (d Donor) FailingProofs() bool { return d.Proof.FailsInRow >= MaxProofFailures }

// Leaving reports whether the donor asked to give its space back.
func (d Donor) Leaving() bool { return !d.LeavingAt.IsZero() }

// HeardFrom is the last time the hub heard from the donor: its last accepted
// push, or its registration before the first.
func (d Donor) HeardFrom() time.Time {
	if d.LastSeen.After(d.RegisteredAt) {
		return d.LastSeen
	}
	return d.RegisteredAt
}

// Holds reports whether the donor is assigned the shard.
func (d Donor) Holds(shard string) bool {
	for _, s := range d.Shards {
		if s == shard {
			return true
		}
	}
	return false
}

// GivingBack reports whether the donor is giving the shard back.
func (d Donor) GivingBack(shard string) bool { return slices.Contains(d.LeavingShards, shard) }

// Patch changes a donor's public record; nil fields stay as they are.
type Patch struct {
	Name         *string
	ShowOnBoard  *bool
	Region       *string
	BudgetBytes  *int64
	MaxFileBytes *int64
}

// placeSets adds the region and budget fields of p to an UPDATE.
func (p Patch) placeSets(sets []string, args []any) ([]string, []any) {
	if p.Region != nil {
		sets, args = append(sets, "region = ?"), append(args, *p.Region)
	}
	if p.BudgetBytes != nil {
		sets, args = append(sets, "budget_bytes = ?"), append(args, *p.BudgetBytes)
	}
	if p.MaxFileBytes != nil {
		sets, args = append(sets, "max_file_bytes = ?"), append(args, *p.MaxFileBytes)
	}
	return sets, args
}

// Picker chooses a shard for a donor. assigned counts, per shard, the donors
// that hold it and are not leaving; exclude lists shards the donor already
// holds. It returns ErrNoShards when nothing fits.
type Picker func(assigned map[string]int, exclude []string) (string, error)

// Store is all of the hub's state: donors, tokens, assignments,
// challenges, restores, collections and the health state. DB is its
// implementation, on SQLite (Open) or PostgreSQL (OpenPostgres).
type Store interface {
	// Register creates a donor holding the shard pick chooses, and returns
	// it with its token, which is shown to the donor once and never again.
	Register(name string, showOnBoard bool, now time.Time, pick Picker) (Donor, string, error)
	// Authenticate finds the donor a token belongs to.
	Authenticate(token string) (Donor, bool)
	Donor(uuid string) (Donor, error)
	Donors() ([]Donor, error)
	Update(uuid string, p Patch) (Donor, error)
	// AddShard assigns one more shard (chosen by pick) to a donor.
	AddShard(uuid string, now time.Time, pick Picker) (Donor, string, error)
	Leave(uuid string, now time.Time) (Donor, error)
	Delete(uuid string) error
	// CheckIn records an accepted push.
	CheckIn(uuid string, now time.Time) error
	Challenges
	Restores
	Collections
	HealthState
	Close() error
}

var (
	// ErrNoShards is returned when there is no shard to assign.
	ErrNoShards = errors.New("the hub has no shards to assign")
	// ErrNotFound is returned for an unknown donor.
	ErrNotFound = errors.New("no such donor")
)

// newToken makes a 256-bit secret, hex encoded.
func newToken() (string, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	return hex.EncodeToString(secret), nil
}

// HashToken is how a token is kept: a token has 256 bits of entropy, so a
// plain SHA-256 (no salt, no stretching) is enough and allows a lookup.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
