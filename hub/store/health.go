package store

import (
	"database/sql"
	"fmt"
	"sync/atomic"
)

// HealthState is where the hub's health tracker keeps what it has read of
// each shard's git-annex branches, so that a restart reads nothing again
// and a push costs only the location logs it changed. Per file it keeps
// the shard's keys (size and first path) and the donors' newest
// location-log line per key; per shard, the branch tips read and the
// totals. The SQLite DB implements it; the interface is plain SQL
// semantics (rows, transactions, an upsert that keeps the newest line) so
// that a PostgreSQL implementation, shared by several hubs, can follow.
type HealthState interface {
	// HealthShard is what was recorded for a shard; ok is false when
	// nothing was.
	HealthShard(shard string) (s HealthShard, ok bool, err error)
	// UpdateHealth runs fn in one transaction on one shard's state: all of
	// it is recorded, or none.
	UpdateHealth(shard string, fn func(HealthTx) error) error
	// EachHealthLine hands over a shard's donor lines ordered by key.
	EachHealthLine(shard string, fn func(HealthLine) error) error
	// EachHealthLineOf hands over one UUID's lines with a status, ordered
	// by shard and key (byte order).
	EachHealthLineOf(uuid string, status byte, fn func(HealthLine) error) error
	// HealthKey is one of a shard's files; ok is false when the key is not.
	HealthKey(shard, key string) (k HealthKey, ok bool, err error)
	// HealthKeyLines are the donor lines of one key.
	HealthKeyLines(shard, key string) ([]HealthLine, error)
	// EachHealthKey hands over a shard's files ordered by path, then key.
	EachHealthKey(shard string, fn func(HealthKey) error) error
	// HealthKeysOver are a shard's files bigger than size, by key: a
	// query on the size index, meant for sizes few files exceed (the
	// files no donor could hold).
	HealthKeysOver(shard string, size int64) ([]HealthKey, error)
}

// HealthTx changes one shard's health state inside UpdateHealth.
type HealthTx interface {
	// Reset forgets the shard's files, lines and donor refs (before the
	// shard is read whole again).
	Reset() error
	AddKey(k HealthKey) error
	HasKey(key string) (bool, error)
	// MergeLine records a donor's line unless a newer one for the same key
	// and UUID is recorded already (git-annex's union merge).
	MergeLine(l HealthLine) error
	SetRef(ref, sha string) error
	// SetShard records the shard's tips, totals and trust.log.
	SetShard(s HealthShard) error
}

// HealthShard is one shard's state as last read.
type HealthShard struct {
	Name     string
	HubHead  string // refs/heads/git-annex
	MainHead string // refs/heads/main ("" when none)
	Files    int    // keys in the shard
	Bytes    int64
	Trust    string // the merged trust.log, one "<uuid> <level> timestamp=<ts>" line per UUID
	// Refs are the donor refs read, ref -> commit (a few per shard).
	Refs map[string]string
}

// HealthKey is one of a shard's files.
type HealthKey struct {
	Shard, Key, Path string // Path: the first path with this content ("" when main has none)
	Size             int64
}

// HealthLine is a donor's newest location-log line for a key.
type HealthLine struct {
	Shard, Key string
	Size       int64 // the key's (0 when the key does not say)
	UUID       string
	Status     byte
	Sec, Nsec  int64 // the line's timestamp
}

var _ HealthState = (*DB)(nil)

var memDBs atomic.Int64

// OpenHealthMemory is a private in-memory database for a health tracker
// that has no hub database (shardhub health on a data directory; tests).
func OpenHealthMemory() (*DB, error) {
	name := fmt.Sprintf("file:/shardhub-health-%d?vfs=memdb&_pragma=busy_timeout(10000)", memDBs.Add(1))
	db, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, fmt.Errorf("open an in-memory health database: %w", err)
	}
	if err := migrate(db, dialect{}, SchemaVersion); err != nil {
		db.Close()
		return nil, fmt.Errorf("in-memory health database: %w", err)
	}
	return newDB(db, dialect{}), nil
}

// HealthShard implements HealthState.
func (s *DB) HealthShard(shard string) (HealthShard, bool, error) {
	h := HealthShard{Name: shard}
	err := s.q.QueryRow(`SELECT hub_head, main_head, files, bytes, trust FROM health_shards WHERE shard = ?`, shard).
		Scan(&h.HubHead, &h.MainHead, &h.Files, &h.Bytes, &h.Trust)
	if err == sql.ErrNoRows {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("read the health of %s: %w", shard, err)
	}
	h.Refs, err = readRefs(s.q, shard)
	return h, err == nil, err
}

// UpdateHealth implements HealthState. Under PostgreSQL the transaction
// is READ COMMITTED: one host records a shard's state, every statement is
// an upsert that is right whatever order they run in, and fn (which reads
// git) is not run twice.
func (s *DB) UpdateHealth(shard string, fn func(HealthTx) error) error {
	tx, err := s.begin(nil)
	if err != nil {
		return fmt.Errorf("record the health of %s: %w", shard, err)
	}
	defer tx.tx.Rollback()
	h := &healthTx{tx: tx, shard: shard}
	defer h.close()
	if err := fn(h); err != nil {
		return err
	}
	if err := h.flush(); err != nil {
		return err
	}
	h.close()
	if err := tx.tx.Commit(); err != nil {
		return fmt.Errorf("record the health of %s: %w", shard, err)
	}
	return nil
}

const lineColumns = `shard, key, size, uuid, status, sec, nsec`

func scanLine(rows *sql.Rows) (HealthLine, error) {
	var l HealthLine
	var status string
	err := rows.Scan(&l.Shard, &l.Key, &l.Size, &l.UUID, &status, &l.Sec, &l.Nsec)
	if status != "" {
		l.Status = status[0]
	}
	return l, err
}

// EachHealthLine implements HealthState.
func (s *DB) EachHealthLine(shard string, fn func(HealthLine) error) error {
	return s.eachLine(fn, `SELECT `+lineColumns+` FROM health_lines WHERE shard = ? ORDER BY key`, shard)
}

// EachHealthLineOf implements HealthState.
func (s *DB) EachHealthLineOf(uuid string, status byte, fn func(HealthLine) error) error {
	return s.eachLine(fn, `SELECT `+lineColumns+` FROM health_lines WHERE uuid = ? AND status = ? ORDER BY shard, key`, uuid, string(status))
}

// HealthKeyLines implements HealthState.
func (s *DB) HealthKeyLines(shard, key string) ([]HealthLine, error) {
	var out []HealthLine
	err := s.eachLine(func(l HealthLine) error { out = append(out, l); return nil },
		`SELECT `+lineColumns+` FROM health_lines WHERE shard = ? AND key = ? ORDER BY uuid`, shard, key)
	return out, err
}

func (s *DB) eachLine(fn func(HealthLine) error, q string, args ...any) error {
	rows, err := s.q.Query(q, args...)
	if err != nil {
		return fmt.Errorf("read location logs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return fmt.Errorf("read location logs: %w", err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read location logs: %w", err)
	}
	return nil
}

// HealthKey implements HealthState.
func (s *DB) HealthKey(shard, key string) (HealthKey, bool, error) {
	k := HealthKey{Shard: shard, Key: key}
	err := s.q.QueryRow(`SELECT path, size FROM health_keys WHERE shard = ? AND key = ?`, shard, key).Scan(&k.Path, &k.Size)
	if err == sql.ErrNoRows {
		return k, false, nil
	}
	if err != nil {
		return k, false, fmt.Errorf("read the files of %s: %w", shard, err)
	}
	return k, true, nil
}

// EachHealthKey implements HealthState.
func (s *DB) EachHealthKey(shard string, fn func(HealthKey) error) error {
	return s.eachKey(shard, fn, `SELECT key, path, size FROM health_keys WHERE shard = ? ORDER BY path, key`, shard)
}

// HealthKeysOver implements HealthState.
func (s *DB) HealthKeysOver(shard string, size int64) ([]HealthKey, error) {
	var out []HealthKey
	err := s.eachKey(shard, func(k HealthKey) error { out = append(out, k); return nil },
		`SELECT key, path, size FROM health_keys WHERE shard = ? AND size > ? ORDER BY key`, shard, size)
	return out, err
}

func (s *DB) eachKey(shard string, fn func(HealthKey) error, q string, args ...any) error {
	rows, err := s.q.Query(q, args...)
	if err != nil {
		return fmt.Errorf("read the files of %s: %w", shard, err)
	}
	defer rows.Close()
	for rows.Next() {
		k := HealthKey{Shard: shard}
		if err := rows.Scan(&k.Key, &k.Path, &k.Size); err != nil {
			return fmt.Errorf("read the files of %s: %w", shard, err)
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the files of %s: %w", shard, err)
	}
	return nil
}
