package store

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"time"
)

// maxTxAttempts bounds how often a write transaction is run again after
// PostgreSQL found it in conflict with another hub host's.
const maxTxAttempts = 100

// newDB wraps an open database in the store.
func newDB(db *sql.DB, d dialect) *DB {
	return &DB{db: db, d: d, q: conn{r: db, d: d}}
}

// Dialect is "sqlite" or "postgres": the database the store runs on.
func (s *DB) Dialect() string { return s.d.Name() }

// tx runs fn in one write transaction: all of it is recorded, or none.
// Under PostgreSQL the transaction is SERIALIZABLE and fn runs again from
// the start (so it must not keep anything from a failed run) when it ran
// into another transaction.
func (s *DB) tx(fn func(*txn) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tx1(fn)
		if err == nil || !retryable(err) || attempt == maxTxAttempts {
			return err
		}
		// Back off a little, at random, so that the hosts in conflict
		// do not meet again at once.
		time.Sleep(time.Duration(rand.Int64N(int64(attempt)*int64(2*time.Millisecond))) + time.Millisecond)
	}
}

func (s *DB) tx1(fn func(*txn) error) error {
	t, err := s.begin(s.d.writeTx())
	if err != nil {
		return err
	}
	if err := fn(t); err != nil {
		t.tx.Rollback()
		return err
	}
	return t.tx.Commit()
}

// begin starts a transaction (nil opts: the database's default).
func (s *DB) begin(opts *sql.TxOptions) (*txn, error) {
	tx, err := s.db.BeginTx(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	return &txn{conn: conn{r: tx, d: s.d}, tx: tx}, nil
}
