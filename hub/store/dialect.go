package store

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
)

// dialect is what differs between the two databases the store runs on:
// SQLite (the embedded default) and PostgreSQL (several hub hosts sharing
// one database). The SQL is written once, in SQLite's spelling with ?
// placeholders; under PostgreSQL the placeholders become $1, $2, ..., the
// migrations' column types are widened (see pgMigration) and write
// transactions run SERIALIZABLE, retried when PostgreSQL reports a
// serialization failure.
type dialect struct {
	postgres bool
}

// Name is "sqlite" or "postgres".
func (d dialect) Name() string {
	if d.postgres {
		return "postgres"
	}
	return "sqlite"
}

var rebound sync.Map // SQLite spelling -> PostgreSQL spelling

// rebind turns the ? placeholders of q into $1, $2, ... under PostgreSQL.
// A ? inside a quoted string or identifier is left alone.
func (d dialect) rebind(q string) string {
	if !d.postgres || !strings.Contains(q, "?") {
		return q
	}
	if r, ok := rebound.Load(q); ok {
		return r.(string)
	}
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	r := b.String()
	rebound.Store(q, r)
	return r
}

// args makes arguments portable: a bool is stored as 0 or 1 in the
// INTEGER columns both databases share (SQLite's driver does that itself;
// PostgreSQL refuses a bool for a bigint).
func (d dialect) args(args []any) []any {
	copied := false
	for i, a := range args {
		b, ok := a.(bool)
		if !ok {
			continue
		}
		if !copied { // never change the caller's slice
			args, copied = append([]any(nil), args...), true
		}
		if args[i] = int64(0); b {
			args[i] = int64(1)
		}
	}
	return args
}

// insertOrIgnore is an INSERT of rows into table (cols) that leaves out
// a row in conflict with one recorded: SQLite's INSERT OR IGNORE, which,
// unlike ON CONFLICT DO NOTHING, cannot abort halfway, so a statement of
// many rows writes no statement journal (every page it touches, again);
// PostgreSQL's ON CONFLICT DO NOTHING.
func (d dialect) insertOrIgnore(table, cols, rows string) string {
	if d.postgres {
		return `INSERT INTO ` + table + ` (` + cols + `) VALUES ` + rows + ` ON CONFLICT DO NOTHING`
	}
	return `INSERT OR IGNORE INTO ` + table + ` (` + cols + `) VALUES ` + rows
}

var (
	sqlInteger = regexp.MustCompile(`\bINTEGER\b`)
	sqlText    = regexp.MustCompile(`\bTEXT\b`)
)

// migration is migration text as this database runs it. SQLite runs the
// released text unchanged. PostgreSQL gets the same schema with:
//   - INTEGER as BIGINT (times are Unix nanoseconds; SQLite's INTEGER is
//     64-bit, PostgreSQL's 32);
//   - TEXT compared and ordered by bytes (COLLATE "C"), as SQLite's BINARY
//     collation does: the health state relies on byte order;
//   - restore_uploads given the rowid column SQLite has implicitly
//     (uploads are listed in the order they came).
func (d dialect) migration(m string) string {
	if !d.postgres {
		return m
	}
	m = sqlInteger.ReplaceAllString(m, "BIGINT")
	m = sqlText.ReplaceAllString(m, `TEXT COLLATE "C"`)
	return strings.Replace(m, "CREATE TABLE restore_uploads (", "CREATE TABLE restore_uploads (\n\t\trowid BIGSERIAL,", 1)
}

// migrationLock keeps two hub hosts from migrating one PostgreSQL
// database at the same time: a transaction-scoped advisory lock, taken
// first in each migration's transaction. SQLite needs none: its
// transactions take the write lock when they begin (_txlock=immediate).
const migrationLock = 0x5348_4b50_0001 // "SHKP" 1

func (d dialect) lockMigrations(tx *sql.Tx) error {
	if !d.postgres {
		return nil
	}
	_, err := tx.Exec(`SELECT pg_advisory_xact_lock($1)`, int64(migrationLock))
	return err
}

// writeTx is how a write transaction begins: SERIALIZABLE under
// PostgreSQL, so a read-then-write (count the donors per shard, then
// assign one) is safe across hub hosts; SQLite's transactions are
// serialized already.
func (d dialect) writeTx() *sql.TxOptions {
	if d.postgres {
		return &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	return nil
}

// retryable reports whether a transaction failed only because it ran
// into another one (PostgreSQL's serialization failure 40001 or deadlock
// 40P01) and can be run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// conn runs statements on the database or on one transaction in the
// database's dialect. Code in this package writes s.q.Exec(...) or
// tx.Exec(...) in SQLite's spelling, never s.db.Exec.
type conn struct {
	r interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	d dialect
}

func (c conn) Exec(query string, args ...any) (sql.Result, error) {
	return c.r.ExecContext(context.Background(), c.d.rebind(query), c.d.args(args)...)
}

func (c conn) Query(query string, args ...any) (*sql.Rows, error) {
	return c.r.QueryContext(context.Background(), c.d.rebind(query), c.d.args(args)...)
}

func (c conn) QueryRow(query string, args ...any) *sql.Row {
	return c.r.QueryRowContext(context.Background(), c.d.rebind(query), c.d.args(args)...)
}

// querier is a conn or a txn: what reads and writes take.
type querier interface {
	Exec(query string, args ...any) (sql.Result, error)
	Query(query string, args ...any) (*sql.Rows, error)
	QueryRow(query string, args ...any) *sql.Row
}

// txn is one transaction in the database's dialect.
type txn struct {
	conn
	tx *sql.Tx
}

// Prepare prepares a statement written in SQLite's spelling; its
// arguments go through stmtArgs.
func (t *txn) Prepare(query string) (*sql.Stmt, error) { return t.tx.Prepare(t.d.rebind(query)) }

func (t *txn) stmtArgs(args []any) []any { return t.d.args(args) }
