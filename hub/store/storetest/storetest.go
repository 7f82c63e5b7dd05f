// Package storetest gives tests the databases the hub's store runs on: a
// fresh PostgreSQL database per test (on the server named by
// SHARDKEEPER_TEST_POSTGRES) and the list of backends a shared suite runs
// against. It does not import the store, so the store's own tests use it.
//
//	storetest.Run(t, func(t *testing.T, dbURL string) {
//		s, err := store.OpenURL(dbURL, t.TempDir()) // "" is SQLite
//		...
//	})
//
// Without SHARDKEEPER_TEST_POSTGRES the PostgreSQL runs are skipped, or
// fail when CI is set: CI never skips PostgreSQL silently.
package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvPostgres names the environment variable holding the URL of a
// PostgreSQL server tests may create databases on, e.g.
// postgres://shardkeeper:shardkeeper@127.0.0.1:5432/shardkeeper (the role
// needs CREATEDB). scripts/postgres-test.sh starts one and prints it.
const EnvPostgres = "SHARDKEEPER_TEST_POSTGRES"

// Backend is one database the store runs on.
type Backend struct {
	Name string // "sqlite" or "postgres"
	// New returns a --db value for a fresh, empty database: "" (the
	// SQLite file in the data directory the test gives) or the URL of a
	// new PostgreSQL database, dropped when the test ends.
	New func(t testing.TB) string
}

// Backends are every database the store runs on.
var Backends = []Backend{
	{Name: "sqlite", New: func(testing.TB) string { return "" }},
	{Name: "postgres", New: PostgresURL},
}

// Run runs fn once per backend, as subtests named after them, each with a
// fresh database.
func Run(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.New(t)) })
	}
}

// ServerURL is SHARDKEEPER_TEST_POSTGRES. Without it the test is skipped
// (locally) or fails (when CI is set).
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgres)
	if u == "" {
		msg := EnvPostgres + " is not set: no PostgreSQL to test against (scripts/postgres-test.sh starts one and prints the export line)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI must run the PostgreSQL tests (.ci/run starts PostgreSQL)")
		}
		t.Skip(msg)
	}
	return u
}

var admin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// PostgresURL creates an empty database for t (UTF-8, sorting as English
// does) and returns its URL; the database is dropped when t ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	admin.once.Do(func() {
		admin.db, admin.err = sql.Open("pgx", server)
		if admin.err == nil {
			admin.err = admin.db.Ping()
		}
	})
	if admin.err != nil {
		t.Fatalf("connect to %s: %v", EnvPostgres, admin.err)
	}
	name := "shardkeeper_test_" + random()
	// A language's collation (ICU, PostgreSQL 15 and later), not bytes:
	// the store must not depend on how the database sorts (its columns
	// sort by bytes, as SQLite does).
	create := `CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8'`
	if _, err := admin.db.Exec(create + ` LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`); err != nil {
		if _, err := admin.db.Exec(create); err != nil {
			t.Fatalf("create a test database on %s: %v", EnvPostgres, err)
		}
	}
	t.Cleanup(func() {
		// The test closed its handles. A plain DROP also stops an
		// autovacuum worker (FORCE would need more privileges for that);
		// FORCE ends connections a test left open.
		if _, err := admin.db.Exec(`DROP DATABASE IF EXISTS ` + name); err == nil {
			return
		}
		if _, err := admin.db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL, not %q", EnvPostgres, server)
	}
	u.Path = "/" + name
	return u.String()
}

func random() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("random test database name: %v", err))
	}
	return hex.EncodeToString(b)
}
