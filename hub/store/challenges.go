package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/proof"
)

// MaxProofFailures is how many proofs of storage in a row a donor may fail
// (wrong, "not held" or unanswered) before its copies stop counting; a
// later pass makes them count again.
const MaxProofFailures = 3

// Standing is how a donor does at proofs of storage.
type Standing struct {
	FailsInRow     int       `json:"fails_in_row"`
	LastPassed     time.Time `json:"last_passed"`
	LastFailed     time.Time `json:"last_failed"`
	LastChallenged time.Time `json:"last_challenged"`
}

// Results a challenge is settled with.
const (
	ResultPassed  = "passed"
	ResultFailed  = "failed"   // a wrong answer
	ResultNotHeld = "not-held" // the donor said it does not hold the key
	ResultExpired = "expired"  // no answer in time
	// ResultUnchecked: the hub could not read the archive's copy for too
	// long to check the answer; set aside, standing unchanged.
	ResultUnchecked = "unchecked"
)

// Issued is a challenge with what the hub knows about it.
type Issued struct {
	proof.Challenge
	Donor      string
	IssuedAt   time.Time
	Answer     string // "" before the donor answers
	AnsweredAt time.Time
	Result     string // "" while open
}

// Challenges keeps proof-of-storage challenges and the donors' standing.
type Challenges interface {
	// AddChallenge records a new challenge; ErrChallengeOpen when the
	// donor still has one open (one at a time keeps the load predictable).
	AddChallenge(uuid string, c proof.Challenge, now time.Time) error
	// Challenge finds one of the donor's challenges (ErrNoChallenge).
	Challenge(uuid, id string) (Issued, error)
	// OpenChallenges lists the donor's unanswered, unexpired challenges.
	OpenChallenges(uuid string, now time.Time) ([]Issued, error)
	// RecordAnswer keeps a donor's answer until the hub has checked it.
	RecordAnswer(uuid, id, answer string, now time.Time) error
	// Unchecked lists answered challenges still open (the hub could not
	// read the archive's copy when they came in).
	Unchecked() ([]Issued, error)
	// Settle closes a challenge with a Result* and updates the donor's
	// standing; ErrSettled when it was closed already.
	Settle(uuid, id, result string, now time.Time) (Standing, error)
	// ExpireChallenges settles every unanswered challenge past its expiry
	// as expired (a failure) and returns them.
	ExpireChallenges(now time.Time) ([]Issued, error)
}

var (
	// ErrChallengeOpen: the donor already has an open challenge.
	ErrChallengeOpen = errors.New("the donor already has an open challenge")
	// ErrNoChallenge: no such challenge for that donor.
	ErrNoChallenge = errors.New("no such challenge")
	// ErrSettled: the challenge was answered (or expired) already.
	ErrSettled = errors.New("the challenge is closed")
)

const challengeCols = `id, uuid, shard, key, range_start, range_length, nonce, issued_at, expires_at,
	COALESCE(answer, ''), answered_at, COALESCE(result, '')`

// AddChallenge implements Challenges.
func (s *DB) AddChallenge(uuid string, c proof.Challenge, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx(func(tx *txn) error {
		var open int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM challenges WHERE uuid = ? AND result IS NULL`, uuid).Scan(&open); err != nil {
			return fmt.Errorf("record a challenge: %w", err)
		}
		if open > 0 {
			return ErrChallengeOpen
		}
		at := now.UTC().UnixNano()
		res, err := tx.Exec(`UPDATE donors SET challenged_at = ? WHERE uuid = ?`, at, uuid)
		if err != nil {
			return fmt.Errorf("record a challenge: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(`INSERT INTO challenges (id, uuid, shard, key, range_start, range_length, nonce, issued_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, uuid, c.Shard, c.Key, c.Offset, c.Length, c.Nonce, at, c.Expires.UTC().UnixNano()); err != nil {
			return fmt.Errorf("record a challenge: %w", err)
		}
		return nil
	})
}

// Challenge implements Challenges.
func (s *DB) Challenge(uuid, id string) (Issued, error) {
	cs, err := s.challenges(`WHERE uuid = ? AND id = ?`, uuid, id)
	if err != nil {
		return Issued{}, err
	}
	if len(cs) == 0 {
		return Issued{}, ErrNoChallenge
	}
	return cs[0], nil
}

// OpenChallenges implements Challenges.
func (s *DB) OpenChallenges(uuid string, now time.Time) ([]Issued, error) {
	return s.challenges(`WHERE uuid = ? AND result IS NULL AND answer IS NULL AND expires_at > ? ORDER BY issued_at, id`,
		uuid, now.UTC().UnixNano())
}

// RecordAnswer implements Challenges.
func (s *DB) RecordAnswer(uuid, id, answer string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.q.Exec(`UPDATE challenges SET answer = ?, answered_at = ? WHERE uuid = ? AND id = ? AND result IS NULL`,
		answer, now.UTC().UnixNano(), uuid, id)
	if err != nil {
		return fmt.Errorf("record an answer: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrSettled
	}
	return nil
}

// Unchecked implements Challenges.
func (s *DB) Unchecked() ([]Issued, error) {
	return s.challenges(`WHERE result IS NULL AND answer IS NOT NULL ORDER BY answered_at, id`)
}

// Settle implements Challenges.
func (s *DB) Settle(uuid, id, result string, now time.Time) (Standing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.tx(func(tx *txn) error { return settle(tx, uuid, id, result, now) })
	if err != nil {
		return Standing{}, err
	}
	d, err := s.donor(uuid)
	return d.Proof, err
}

// ExpireChallenges implements Challenges.
func (s *DB) ExpireChallenges(now time.Time) ([]Issued, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []Issued
	err := s.tx(func(tx *txn) error {
		var err error
		due, err = challengesIn(tx, `WHERE result IS NULL AND answer IS NULL AND expires_at <= ? ORDER BY expires_at, id`, now.UTC().UnixNano())
		if err != nil {
			return err
		}
		for _, c := range due {
			if err := settle(tx, c.Donor, c.ID, ResultExpired, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return due, nil
}

// settle closes one challenge and moves the donor's standing: a pass
// resets the failures in a row, an unchecked answer changes nothing,
// anything else adds one.
func settle(tx *txn, uuid, id, result string, now time.Time) error {
	at := now.UTC().UnixNano()
	res, err := tx.Exec(`UPDATE challenges SET result = ?, settled_at = ? WHERE uuid = ? AND id = ? AND result IS NULL`, result, at, uuid, id)
	if err != nil {
		return fmt.Errorf("settle a challenge: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrSettled
	}
	if result == ResultUnchecked {
		return nil
	}
	q := `UPDATE donors SET proof_fails_in_row = proof_fails_in_row + 1, proof_failed_at = ? WHERE uuid = ?`
	if result == ResultPassed {
		q = `UPDATE donors SET proof_fails_in_row = 0, proof_passed_at = ? WHERE uuid = ?`
	}
	if _, err := tx.Exec(q, at, uuid); err != nil {
		return fmt.Errorf("update the donor's standing: %w", err)
	}
	return nil
}

func (s *DB) challenges(where string, args ...any) ([]Issued, error) {
	return challengesIn(s.q, where, args...)
}

func challengesIn(db querier, where string, args ...any) ([]Issued, error) {
	rows, err := db.Query(`SELECT `+challengeCols+` FROM challenges `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read challenges: %w", err)
	}
	defer rows.Close()
	var out []Issued
	for rows.Next() {
		var c Issued
		var issued, expires int64
		var answered sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Donor, &c.Shard, &c.Key, &c.Offset, &c.Length, &c.Nonce, &issued, &expires,
			&c.Answer, &answered, &c.Result); err != nil {
			return nil, fmt.Errorf("read challenges: %w", err)
		}
		c.IssuedAt, c.Expires = time.Unix(0, issued).UTC(), time.Unix(0, expires).UTC()
		c.AnsweredAt = fromNanos(answered)
		out = append(out, c)
	}
	return out, rows.Err()
}
