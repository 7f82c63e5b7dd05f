package store

import (
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DBFile is the registry's file in a data directory.
const DBFile = "hub.db"

// DB is the registry in SQLite (Open) or PostgreSQL (OpenPostgres): one
// implementation, the SQL written once (dialect.go). Within one process
// writes are serialised by a mutex; across processes (two hub hosts on one
// PostgreSQL, two handles on one SQLite file) by the database's
// transactions, so an assignment sees every earlier one.
type DB struct {
	mu sync.Mutex
	db *sql.DB
	d  dialect
	q  conn // statements on db, in its dialect
}

var _ Store = (*DB)(nil)

// Open opens (creating when absent) DATA/hub.db and migrates its schema.
// A donors.json left by an older hub is imported once and renamed
// donors.json.imported.
func Open(dataDir string) (*DB, error) {
	return open(filepath.Join(dataDir, DBFile), SchemaVersion, filepath.Join(dataDir, "donors.json"))
}

func open(path string, version int, legacyJSON string) (*DB, error) {
	// _txlock=immediate: a transaction takes the write lock when it begins,
	// so it waits (busy_timeout) for the health state's writer instead of
	// failing with SQLITE_BUSY when it upgrades from reading to writing
	// (which lost restore uploads: "record an upload: database is locked").
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open donor database %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open donor database %s: %w", path, err)
	}
	if err := migrate(db, dialect{}, version); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := newDB(db, dialect{})
	if legacyJSON != "" {
		if err := s.importJSON(legacyJSON); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// importJSON moves the donors of the JSON registry the first hub kept into
// the database, then renames the file so it is never imported twice.
func (s *DB) importJSON(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read old donor registry: %w", err)
	}
	var old []struct {
		UUID         string    `json:"uuid"`
		TokenHash    string    `json:"token_hash"`
		Name         string    `json:"name"`
		Shard        string    `json:"shard"`
		RegisteredAt time.Time `json:"registered_at"`
	}
	if err := json.Unmarshal(data, &old); err != nil {
		return fmt.Errorf("read old donor registry %s: %w", path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.Begin() // SQLite only: no dialect
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, d := range old {
		at := d.RegisteredAt.UnixNano()
		if _, err := tx.Exec(`INSERT OR IGNORE INTO donors (uuid, token_hash, name, registered_at) VALUES (?, ?, ?, ?)`,
			d.UUID, d.TokenHash, d.Name, at); err != nil {
			return fmt.Errorf("import old donor registry: %w", err)
		}
		if _, err := tx.Exec(`INSERT OR IGNORE INTO donor_shards (uuid, shard, assigned_at) VALUES (?, ?, ?)`, d.UUID, d.Shard, at); err != nil {
			return fmt.Errorf("import old donor registry: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("import old donor registry: %w", err)
	}
	if err := os.Rename(path, path+".imported"); err != nil {
		return fmt.Errorf("import old donor registry: %w", err)
	}
	return nil
}

// Register implements Store. The shard is picked inside the transaction
// that records the donor, so two hosts registering at once each see the
// other's assignment (PostgreSQL retries the one that ran into the other).
func (s *DB) Register(name string, showOnBoard bool, now time.Time, pick Picker) (Donor, string, error) {
	id, err := uuid.NewRandom()
	if err != nil {
		return Donor{}, "", fmt.Errorf("make donor uuid: %w", err)
	}
	token, err := newToken()
	if err != nil {
		return Donor{}, "", fmt.Errorf("make donor token: %w", err)
	}
	now = now.UTC()
	d := Donor{UUID: id.String(), TokenHash: HashToken(token), Name: name, ShowOnBoard: showOnBoard, RegisteredAt: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	var pickErr error
	err = s.tx(func(tx *txn) error {
		var shard string
		if shard, pickErr = pickIn(tx, pick, nil); pickErr != nil {
			return pickErr
		}
		d.Shards = []string{shard}
		if _, err := tx.Exec(`INSERT INTO donors (uuid, token_hash, name, show_on_board, registered_at) VALUES (?, ?, ?, ?, ?)`,
			d.UUID, d.TokenHash, d.Name, d.ShowOnBoard, now.UnixNano()); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO donor_shards (uuid, shard, assigned_at) VALUES (?, ?, ?)`, d.UUID, shard, now.UnixNano())
		return err
	})
	if pickErr != nil {
		return Donor{}, "", pickErr
	}
	if err != nil {
		return Donor{}, "", fmt.Errorf("register donor: %w", err)
	}
	return d, token, nil
}

// AddShard implements Store.
func (s *DB) AddShard(id string, now time.Time, pick Picker) (Donor, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var d Donor
	var shard string
	var pickErr error
	err := s.tx(func(tx *txn) error {
		var err error
		if d, err = donorIn(tx, id); err != nil {
			pickErr = err
			return err
		}
		if shard, pickErr = pickIn(tx, pick, d.Shards); pickErr != nil {
			return pickErr
		}
		_, err = tx.Exec(`INSERT INTO donor_shards (uuid, shard, assigned_at) VALUES (?, ?, ?)`, id, shard, now.UTC().UnixNano())
		return err
	})
	if pickErr != nil {
		return Donor{}, "", pickErr
	}
	if err != nil {
		return Donor{}, "", fmt.Errorf("assign a shard: %w", err)
	}
	d.Shards = append(d.Shards, shard)
	return d, shard, nil
}

// pickIn counts the donors per shard and lets pick choose, in tx.
func pickIn(tx querier, pick Picker, exclude []string) (string, error) {
	counts, err := assigned(tx)
	if err != nil {
		return "", err
	}
	return pick(counts, exclude)
}

// assigned counts, per shard, the donors holding it that are not leaving.
func (s *DB) assigned() (map[string]int, error) { return assigned(s.q) }

func assigned(db querier) (map[string]int, error) {
	rows, err := db.Query(`SELECT ds.shard, COUNT(*) FROM donor_shards ds JOIN donors d ON d.uuid = ds.uuid
		WHERE d.leaving_at IS NULL AND ds.leaving_at IS NULL GROUP BY ds.shard`)
	if err != nil {
		return nil, fmt.Errorf("count donors per shard: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var shard string
		var n int
		if err := rows.Scan(&shard, &n); err != nil {
			return nil, err
		}
		out[shard] = n
	}
	return out, rows.Err()
}

// Authenticate implements Store. The lookup is by the token's hash, so
// timing can at most tell something about a hash, never the token; the
// final comparison is constant-time anyway.
func (s *DB) Authenticate(token string) (Donor, bool) {
	if token == "" {
		return Donor{}, false
	}
	h := HashToken(token)
	var id string
	if err := s.q.QueryRow(`SELECT uuid FROM donors WHERE token_hash = ?`, h).Scan(&id); err != nil {
		return Donor{}, false
	}
	d, err := s.donor(id)
	if err != nil || subtle.ConstantTimeCompare([]byte(h), []byte(d.TokenHash)) != 1 {
		return Donor{}, false
	}
	return d, true
}

// Donor implements Store.
func (s *DB) Donor(id string) (Donor, error) { return s.donor(id) }

// Donors implements Store: every donor, by registration.
func (s *DB) Donors() ([]Donor, error) {
	return donors(s.q, `SELECT `+donorColumns+` FROM donors ORDER BY registered_at, uuid`)
}

func (s *DB) donor(id string) (Donor, error) { return donorIn(s.q, id) }

func donorIn(db querier, id string) (Donor, error) {
	ds, err := donors(db, `SELECT `+donorColumns+` FROM donors WHERE uuid = ?`, id)
	if err != nil {
		return Donor{}, err
	}
	if len(ds) == 0 {
		return Donor{}, ErrNotFound
	}
	return ds[0], nil
}

func donors(db querier, q string, args ...any) ([]Donor, error) {
	rows, err := db.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("read donors: %w", err)
	}
	defer rows.Close()
	out := []Donor{}
	index := map[string]int{}
	for rows.Next() {
		var d Donor
		var reg int64
		var seen, leaving, passed, failed, challenged sql.NullInt64
		if err := rows.Scan(&d.UUID, &d.TokenHash, &d.Name, &d.ShowOnBoard, &reg, &seen, &leaving,
			&d.Proof.FailsInRow, &passed, &failed, &challenged, &d.Region, &d.BudgetBytes, &d.MaxFileBytes); err != nil {
			return nil, fmt.Errorf("read donors: %w", err)
		}
		d.RegisteredAt = fromNanos(sql.NullInt64{Int64: reg, Valid: true})
		d.LastSeen, d.LeavingAt = fromNanos(seen), fromNanos(leaving)
		d.Proof.LastPassed, d.Proof.LastFailed, d.Proof.LastChallenged = fromNanos(passed), fromNanos(failed), fromNanos(challenged)
		index[d.UUID] = len(out)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read donors: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// Shards for the donors read: all of them, or one.
	sq := `SELECT uuid, shard, leaving_at FROM donor_shards ORDER BY assigned_at, shard`
	var sargs []any
	if len(out) == 1 {
		sq = `SELECT uuid, shard, leaving_at FROM donor_shards WHERE uuid = ? ORDER BY assigned_at, shard`
		sargs = []any{out[0].UUID}
	}
	srows, err := db.Query(sq, sargs...)
	if err != nil {
		return nil, fmt.Errorf("read donors' shards: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var id, shard string
		var leaving sql.NullInt64
		if err := srows.Scan(&id, &shard, &leaving); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].Shards = append(out[i].Shards, shard)
			if leaving.Valid {
				out[i].LeavingShards = append(out[i].LeavingShards, shard)
			}
		}
	}
	return out, srows.Err()
}

// Update implements Store.
func (s *DB) Update(id string, p Patch) (Donor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sets []string
	var args []any
	if p.Name != nil {
		sets, args = append(sets, "name = ?"), append(args, *p.Name)
	}
	if p.ShowOnBoard != nil {
		sets, args = append(sets, "show_on_board = ?"), append(args, *p.ShowOnBoard)
	}
	sets, args = p.placeSets(sets, args)
	if len(sets) > 0 {
		res, err := s.q.Exec(`UPDATE donors SET `+strings.Join(sets, ", ")+` WHERE uuid = ?`, append(args, id)...)
		if err != nil {
			return Donor{}, fmt.Errorf("update donor: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Donor{}, ErrNotFound
		}
	}
	return s.donor(id)
}

// Leave implements Store; leaving again keeps the first time.
func (s *DB) Leave(id string, now time.Time) (Donor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.q.Exec(`UPDATE donors SET leaving_at = ? WHERE uuid = ? AND leaving_at IS NULL`, now.UTC().UnixNano(), id); err != nil {
		return Donor{}, fmt.Errorf("mark donor leaving: %w", err)
	}
	return s.donor(id)
}

// Delete implements Store.
func (s *DB) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.q.Exec(`DELETE FROM donors WHERE uuid = ?`, id)
	if err != nil {
		return fmt.Errorf("delete donor: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CheckIn implements Store. A late-arriving older time never moves
// last_seen back.
func (s *DB) CheckIn(id string, now time.Time) error {
	t := now.UTC().UnixNano()
	res, err := s.q.Exec(`UPDATE donors SET last_seen = ? WHERE uuid = ? AND (last_seen IS NULL OR last_seen < ?)`, t, id, t)
	if err != nil {
		return fmt.Errorf("record check-in: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.donor(id); err != nil {
			return err
		}
	}
	return nil
}

func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid || n.Int64 == 0 {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}
