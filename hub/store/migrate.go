package store

import (
	"database/sql"
	"fmt"
)

// migrations are applied in order, each once, each in its own transaction;
// schema_version holds how many have been applied. Never edit a released
// migration: append a new one.
var migrations = []string{
	// 1: what donors.json held, one shard per donor.
	`CREATE TABLE donors (
		uuid          TEXT PRIMARY KEY,
		token_hash    TEXT NOT NULL UNIQUE,
		name          TEXT NOT NULL DEFAULT '',
		shard         TEXT NOT NULL,
		registered_at INTEGER NOT NULL
	)`,
	// 2: several shards per donor, the public board opt-in, check-ins and
	// leaving.
	`CREATE TABLE donor_shards (
		uuid        TEXT NOT NULL REFERENCES donors(uuid) ON DELETE CASCADE,
		shard       TEXT NOT NULL,
		assigned_at INTEGER NOT NULL,
		PRIMARY KEY (uuid, shard)
	);
	INSERT INTO donor_shards (uuid, shard, assigned_at) SELECT uuid, shard, registered_at FROM donors;
	ALTER TABLE donors DROP COLUMN shard;
	ALTER TABLE donors ADD COLUMN show_on_board INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE donors ADD COLUMN last_seen INTEGER;
	ALTER TABLE donors ADD COLUMN leaving_at INTEGER;
	CREATE INDEX donor_shards_shard ON donor_shards(shard)`,
	// 3: proof of storage: challenges and each donor's standing.
	`CREATE TABLE challenges (
		id          TEXT PRIMARY KEY,
		uuid        TEXT NOT NULL REFERENCES donors(uuid) ON DELETE CASCADE,
		shard       TEXT NOT NULL,
		key         TEXT NOT NULL,
		range_start  INTEGER NOT NULL,
		range_length INTEGER NOT NULL,
		nonce       TEXT NOT NULL,
		issued_at   INTEGER NOT NULL,
		expires_at  INTEGER NOT NULL,
		answer      TEXT,
		answered_at INTEGER,
		result      TEXT,
		settled_at  INTEGER
	);
	CREATE INDEX challenges_donor ON challenges(uuid, result);
	ALTER TABLE donors ADD COLUMN proof_fails_in_row INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE donors ADD COLUMN proof_passed_at INTEGER;
	ALTER TABLE donors ADD COLUMN proof_failed_at INTEGER;
	ALTER TABLE donors ADD COLUMN challenged_at INTEGER`,
	// 4: restore: each shard's restore remote, fire drills, restore
	// requests (at most one open per shard and key), which donor was
	// asked, and every upload with its verdict.
	`CREATE TABLE restore_remotes (
		shard      TEXT PRIMARY KEY,
		uuid       TEXT NOT NULL UNIQUE,
		created_at INTEGER NOT NULL
	);
	CREATE TABLE drills (
		id         TEXT PRIMARY KEY,
		shard      TEXT NOT NULL,
		started_at INTEGER NOT NULL,
		ended_at   INTEGER
	);
	CREATE TABLE restore_requests (
		id            TEXT PRIMARY KEY,
		shard         TEXT NOT NULL,
		key           TEXT NOT NULL,
		path          TEXT NOT NULL,
		size          INTEGER NOT NULL,
		opened_at     INTEGER NOT NULL,
		closed_at     INTEGER,
		state         TEXT NOT NULL DEFAULT 'requested',
		verified_by   TEXT,
		verified_at   INTEGER,
		reinjected_at INTEGER,
		asked_donor   TEXT,
		asked_at      INTEGER
	);
	CREATE UNIQUE INDEX restore_requests_open ON restore_requests(shard, key) WHERE closed_at IS NULL;
	CREATE TABLE drill_files (
		drill       TEXT NOT NULL REFERENCES drills(id) ON DELETE CASCADE,
		request     TEXT NOT NULL REFERENCES restore_requests(id),
		marked_lost INTEGER NOT NULL,
		PRIMARY KEY (drill, request)
	);
	CREATE TABLE restore_uploads (
		request  TEXT NOT NULL REFERENCES restore_requests(id),
		donor    TEXT NOT NULL,
		at       INTEGER NOT NULL,
		accepted INTEGER NOT NULL,
		reason   TEXT NOT NULL DEFAULT '',
		sha256   TEXT NOT NULL DEFAULT '',
		bytes    INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX restore_uploads_request ON restore_uploads(request, donor)`,
	// 5: health state (HealthState): per shard the branch tips read and
	// the totals; per file its size and first path; per donor and file
	// the newest location-log line. A restart reads nothing again.
	`CREATE TABLE health_shards (
		shard     TEXT PRIMARY KEY,
		hub_head  TEXT NOT NULL,
		main_head TEXT NOT NULL,
		files     INTEGER NOT NULL,
		bytes     INTEGER NOT NULL,
		trust     TEXT NOT NULL
	);
	CREATE TABLE health_refs (
		shard TEXT NOT NULL,
		ref   TEXT NOT NULL,
		sha   TEXT NOT NULL,
		PRIMARY KEY (shard, ref)
	);
	CREATE TABLE health_keys (
		shard TEXT NOT NULL,
		key   TEXT NOT NULL,
		path  TEXT NOT NULL,
		size  INTEGER NOT NULL,
		PRIMARY KEY (shard, key)
	);
	CREATE INDEX health_keys_path ON health_keys(shard, path, key);
	CREATE TABLE health_lines (
		shard  TEXT NOT NULL,
		key    TEXT NOT NULL,
		uuid   TEXT NOT NULL,
		size   INTEGER NOT NULL,
		status TEXT NOT NULL,
		sec    INTEGER NOT NULL,
		nsec   INTEGER NOT NULL,
		PRIMARY KEY (shard, key, uuid)
	);
	CREATE INDEX health_lines_uuid ON health_lines(uuid, status)`,
	// 6: collections and regions (issue 13): a donor's region, budget and
	// large-file opt-in, giving back one shard, and the health history
	// the dashboard draws (a point per day and collection).
	migrateCollections,
	// 7: several hub hosts (issue 15): hosts and shard placements.
	migrateHosts,
}

// SchemaVersion is the schema this code reads and writes.
var SchemaVersion = len(migrations)

// migrate brings db up to version target (at most SchemaVersion), one
// migration per transaction. Under PostgreSQL each transaction first takes
// an advisory lock, so hosts starting at once migrate one after the other
// and each reads the version the one before left.
func migrate(db *sql.DB, d dialect, target int) error {
	for {
		done, err := migrateStep(db, d, target)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next migration, or reports done when the
// database is at target already.
func migrateStep(db *sql.DB, d dialect, target int) (done bool, err error) {
	tx, err := db.Begin()
	if err != nil {
		return false, fmt.Errorf("prepare schema: %w", err)
	}
	defer tx.Rollback()
	if err := d.lockMigrations(tx); err != nil {
		return false, fmt.Errorf("lock the schema for migration: %w", err)
	}
	if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return false, fmt.Errorf("prepare schema: %w", err)
	}
	var current int
	err = tx.QueryRow(`SELECT version FROM schema_version`).Scan(&current)
	if err == sql.ErrNoRows {
		if _, err := tx.Exec(`INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return false, fmt.Errorf("prepare schema: %w", err)
		}
	} else if err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	if current > len(migrations) {
		return false, fmt.Errorf("the database has schema version %d, newer than this shardhub knows (%d): run a newer shardhub", current, len(migrations))
	}
	if current >= target {
		return true, tx.Commit()
	}
	if _, err := tx.Exec(d.migration(migrations[current])); err != nil {
		return false, fmt.Errorf("migrate the database to schema version %d: %w", current+1, err)
	}
	if _, err := tx.Exec(d.rebind(`UPDATE schema_version SET version = ?`), current+1); err != nil {
		return false, fmt.Errorf("migrate the database to schema version %d: %w", current+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate the database to schema version %d: %w", current+1, err)
	}
	return false, nil
}
