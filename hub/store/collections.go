package store

import (
	"fmt"
	"time"
)

// migrateCollections is migration 6 (see migrations).
const migrateCollections = `ALTER TABLE donors ADD COLUMN region TEXT NOT NULL DEFAULT '';
	ALTER TABLE donors ADD COLUMN budget_bytes INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE donors ADD COLUMN max_file_bytes INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE donor_shards ADD COLUMN leaving_at INTEGER;
	CREATE TABLE health_days (
		day                TEXT NOT NULL,
		collection         TEXT NOT NULL,
		files              INTEGER NOT NULL,
		bytes              INTEGER NOT NULL,
		files_at_risk      INTEGER NOT NULL,
		bytes_protected    INTEGER NOT NULL,
		PRIMARY KEY (day, collection)
	);
	CREATE INDEX health_keys_size ON health_keys(shard, size)`

// donorColumns are the donors columns query scans, in order.
const donorColumns = `uuid, token_hash, name, show_on_board, registered_at, last_seen, leaving_at,
	proof_fails_in_row, proof_passed_at, proof_failed_at, challenged_at, region, budget_bytes, max_file_bytes`

// HealthPoint is one collection's health on one day (UTC), as the last
// report of that day found it.
type HealthPoint struct {
	Day            string `json:"day"` // 2006-01-02
	Collection     string `json:"collection"`
	Files          int    `json:"files"`
	Bytes          int64  `json:"bytes"`
	FilesAtRisk    int    `json:"files_at_risk"`   // below the target
	BytesProtected int64  `json:"bytes_protected"` // of files at the target or above
}

// DayOf is the day a time falls on, in UTC, as HealthPoint.Day spells it.
func DayOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Collections is what the registry keeps for collections and regions.
type Collections interface {
	// LeaveShard marks one of the donor's shards as given back: it stays
	// assigned until RemoveShard, but no longer counts as assigned.
	LeaveShard(uuid, shard string, now time.Time) (Donor, error)
	// RemoveShard takes a shard off the donor.
	RemoveShard(uuid, shard string) (Donor, error)
	// RecordHealth keeps points, replacing those of the same day and
	// collection.
	RecordHealth(points []HealthPoint) error
	// HealthHistory returns the points from the day since on, by day.
	HealthHistory(since string) ([]HealthPoint, error)
}

var _ Collections = (*DB)(nil)

// LeaveShard implements Collections; leaving again keeps the first time.
func (s *DB) LeaveShard(id, shard string, now time.Time) (Donor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.q.Exec(`UPDATE donor_shards SET leaving_at = COALESCE(leaving_at, ?) WHERE uuid = ? AND shard = ?`,
		now.UTC().UnixNano(), id, shard)
	if err != nil {
		return Donor{}, fmt.Errorf("give a shard back: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Donor{}, ErrNotFound
	}
	return s.donor(id)
}

// RemoveShard implements Collections.
func (s *DB) RemoveShard(id, shard string) (Donor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.q.Exec(`DELETE FROM donor_shards WHERE uuid = ? AND shard = ?`, id, shard)
	if err != nil {
		return Donor{}, fmt.Errorf("remove a shard: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Donor{}, ErrNotFound
	}
	return s.donor(id)
}

// RecordHealth implements Collections.
func (s *DB) RecordHealth(points []HealthPoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx(func(tx *txn) error {
		for _, p := range points {
			if _, err := tx.Exec(`INSERT INTO health_days (day, collection, files, bytes, files_at_risk, bytes_protected)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (day, collection) DO UPDATE SET files = excluded.files,
				bytes = excluded.bytes, files_at_risk = excluded.files_at_risk, bytes_protected = excluded.bytes_protected`, p.Day, p.Collection, p.Files, p.Bytes, p.FilesAtRisk, p.BytesProtected); err != nil {
				return fmt.Errorf("record health history: %w", err)
			}
		}
		return nil
	})
}

// HealthHistory implements Collections.
func (s *DB) HealthHistory(since string) ([]HealthPoint, error) {
	rows, err := s.q.Query(`SELECT day, collection, files, bytes, files_at_risk, bytes_protected FROM health_days
		WHERE day >= ? ORDER BY day, collection`, since)
	if err != nil {
		return nil, fmt.Errorf("read health history: %w", err)
	}
	defer rows.Close()
	out := []HealthPoint{}
	for rows.Next() {
		var p HealthPoint
		if err := rows.Scan(&p.Day, &p.Collection, &p.Files, &p.Bytes, &p.FilesAtRisk, &p.BytesProtected); err != nil {
			return nil, fmt.Errorf("read health history: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
