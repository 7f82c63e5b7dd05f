package store

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// migrateHosts is migration 7 (issue 15): the hub hosts sharing this
// database, each with its public URL and heartbeat, and where every shard's
// repository is served (placements), with the state of a move.
const migrateHosts = `CREATE TABLE hosts (
		name         TEXT PRIMARY KEY,
		public_url   TEXT NOT NULL,
		started_at   INTEGER NOT NULL,
		heartbeat_at INTEGER NOT NULL
	);
	CREATE TABLE placements (
		shard      TEXT PRIMARY KEY,
		host       TEXT NOT NULL,
		state      TEXT NOT NULL DEFAULT '',
		moving_to  TEXT NOT NULL DEFAULT '',
		changed_at INTEGER NOT NULL,
		error      TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX placements_host ON placements(host)`

// Host is one hub host sharing the database.
type Host struct {
	Name        string
	PublicURL   string
	StartedAt   time.Time
	HeartbeatAt time.Time
}

// The states of a placement. A move goes Moving (asked for: the source
// host stops taking pushes), Frozen (the source has no push in flight and
// takes none: the target copies the repository), then back to Served on
// the target.
const (
	PlacementServed = ""
	PlacementMoving = "moving"
	PlacementFrozen = "frozen"
)

// Placement is where a shard's repository is served.
type Placement struct {
	Shard     string
	Host      string
	State     string // PlacementServed, PlacementMoving or PlacementFrozen
	MovingTo  string // the target host of a move
	ChangedAt time.Time
	Error     string // why the last move failed ("": it did not)
}

// ErrNoPlacement is returned for a shard no host serves.
var ErrNoPlacement = errors.New("no host serves this shard")

// Hosts is the registry of hub hosts and shard placements that several
// hub processes share (shardhub serve --host-name). The DB implements it.
type Hosts interface {
	// Heartbeat records that the host is alive at now and reachable at
	// publicURL (creating the host the first time).
	Heartbeat(name, publicURL string, now time.Time) error
	HostList() ([]Host, error)
	// Claim places the shards that no host serves yet on host; it returns
	// those it placed.
	Claim(host string, shards []string, now time.Time) ([]string, error)
	Placements() ([]Placement, error)
	Placement(shard string) (Placement, error)
	// RequestMove asks to move a served shard to another host.
	RequestMove(shard, to string, now time.Time) error
	// Freeze records that the source host takes no more pushes of a
	// shard being moved; false when the shard is not moving from host.
	Freeze(shard, host string, now time.Time) (bool, error)
	// FinishMove switches a frozen shard to its target host.
	FinishMove(shard, to string, now time.Time) error
	// FailMove ends a move that could not finish: the shard stays where
	// it was, with why.
	FailMove(shard, why string, now time.Time) error
}

var _ Hosts = (*DB)(nil)

// OpenFile opens (creating when absent) the database file at path, e.g.
// one several hub processes on a machine share.
func OpenFile(path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("database path %s: %w", path, err)
	}
	return open(abs, SchemaVersion, "")
}

// Heartbeat implements Hosts.
func (s *DB) Heartbeat(name, publicURL string, now time.Time) error {
	t := now.UTC().UnixNano()
	_, err := s.q.Exec(`INSERT INTO hosts (name, public_url, started_at, heartbeat_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET public_url = excluded.public_url, heartbeat_at = excluded.heartbeat_at`,
		name, publicURL, t, t)
	if err != nil {
		return fmt.Errorf("record the heartbeat of host %s: %w", name, err)
	}
	return nil
}

// HostList implements Hosts: every host, by name.
func (s *DB) HostList() ([]Host, error) {
	rows, err := s.q.Query(`SELECT name, public_url, started_at, heartbeat_at FROM hosts ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read hosts: %w", err)
	}
	defer rows.Close()
	var out []Host
	for rows.Next() {
		var h Host
		var started, beat int64
		if err := rows.Scan(&h.Name, &h.PublicURL, &started, &beat); err != nil {
			return nil, fmt.Errorf("read hosts: %w", err)
		}
		h.StartedAt, h.HeartbeatAt = time.Unix(0, started).UTC(), time.Unix(0, beat).UTC()
		out = append(out, h)
	}
	return out, rows.Err()
}

// Claim implements Hosts.
func (s *DB) Claim(host string, shards []string, now time.Time) ([]string, error) {
	var placed []string
	for _, name := range shards {
		res, err := s.q.Exec(`INSERT INTO placements (shard, host, changed_at) VALUES (?, ?, ?) ON CONFLICT (shard) DO NOTHING`,
			name, host, now.UTC().UnixNano())
		if err != nil {
			return placed, fmt.Errorf("place %s on host %s: %w", name, host, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			placed = append(placed, name)
		}
	}
	return placed, nil
}

const placementColumns = `shard, host, state, moving_to, changed_at, error`

func scanPlacement(sc interface{ Scan(...any) error }) (Placement, error) {
	var p Placement
	var at int64
	err := sc.Scan(&p.Shard, &p.Host, &p.State, &p.MovingTo, &at, &p.Error)
	p.ChangedAt = time.Unix(0, at).UTC()
	return p, err
}

// Placements implements Hosts: every placed shard, by name.
func (s *DB) Placements() ([]Placement, error) {
	rows, err := s.q.Query(`SELECT ` + placementColumns + ` FROM placements ORDER BY shard`)
	if err != nil {
		return nil, fmt.Errorf("read placements: %w", err)
	}
	defer rows.Close()
	var out []Placement
	for rows.Next() {
		p, err := scanPlacement(rows)
		if err != nil {
			return nil, fmt.Errorf("read placements: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Placement implements Hosts.
func (s *DB) Placement(shard string) (Placement, error) {
	p, err := scanPlacement(s.q.QueryRow(`SELECT `+placementColumns+` FROM placements WHERE shard = ?`, shard))
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNoPlacement
	}
	if err != nil {
		return p, fmt.Errorf("read the placement of %s: %w", shard, err)
	}
	return p, nil
}

// RequestMove implements Hosts.
func (s *DB) RequestMove(shard, to string, now time.Time) error {
	p, err := s.Placement(shard)
	if err != nil {
		return err
	}
	switch {
	case p.Host == to && p.State == PlacementServed:
		return fmt.Errorf("%s is served by %s already", shard, to)
	case p.State != PlacementServed:
		return fmt.Errorf("%s is being moved to %s already; wait for that move to end", shard, p.MovingTo)
	}
	res, err := s.q.Exec(`UPDATE placements SET state = ?, moving_to = ?, error = '', changed_at = ? WHERE shard = ? AND state = ?`,
		PlacementMoving, to, now.UTC().UnixNano(), shard, PlacementServed)
	if err != nil {
		return fmt.Errorf("ask to move %s: %w", shard, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s is being moved already; wait for that move to end", shard)
	}
	return nil
}

// Freeze implements Hosts.
func (s *DB) Freeze(shard, host string, now time.Time) (bool, error) {
	res, err := s.q.Exec(`UPDATE placements SET state = ?, changed_at = ? WHERE shard = ? AND host = ? AND state = ?`,
		PlacementFrozen, now.UTC().UnixNano(), shard, host, PlacementMoving)
	if err != nil {
		return false, fmt.Errorf("stop pushes to %s for its move: %w", shard, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// FinishMove implements Hosts.
func (s *DB) FinishMove(shard, to string, now time.Time) error {
	res, err := s.q.Exec(`UPDATE placements SET host = ?, state = ?, moving_to = '', changed_at = ? WHERE shard = ? AND moving_to = ? AND state = ?`,
		to, PlacementServed, now.UTC().UnixNano(), shard, to, PlacementFrozen)
	if err != nil {
		return fmt.Errorf("switch %s to host %s: %w", shard, to, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("switch %s to host %s: it is not frozen for a move there", shard, to)
	}
	return nil
}

// FailMove implements Hosts.
func (s *DB) FailMove(shard, why string, now time.Time) error {
	_, err := s.q.Exec(`UPDATE placements SET state = ?, moving_to = '', error = ?, changed_at = ? WHERE shard = ? AND state <> ?`,
		PlacementServed, why, now.UTC().UnixNano(), shard, PlacementServed)
	if err != nil {
		return fmt.Errorf("end the move of %s: %w", shard, err)
	}
	return nil
}

// UsedBytes is the space the database's data takes (pages in use times
// the page size), for measuring what the hub's state costs (docs/scaling.md).
func (s *DB) UsedBytes() (int64, error) {
	if s.d.postgres {
		var n int64
		if err := s.q.QueryRow(`SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			return 0, fmt.Errorf("measure the database: %w", err)
		}
		return n, nil
	}
	var pages, free, size int64
	for q, v := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA freelist_count": &free, "PRAGMA page_size": &size} {
		if err := s.q.QueryRow(q).Scan(v); err != nil {
			return 0, fmt.Errorf("measure the database: %w", err)
		}
	}
	return (pages - free) * size, nil
}
