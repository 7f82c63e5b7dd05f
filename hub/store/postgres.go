package store

import (
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// IsPostgres reports whether a --db value names a PostgreSQL database
// (postgres://... or postgresql://...).
func IsPostgres(dbURL string) bool {
	return strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://")
}

// OpenURL opens the hub's store as shardhub's --db flag names it: "" is
// the SQLite file DATA/hub.db (Open), a postgres:// URL a PostgreSQL
// database shared by every hub host (OpenPostgres).
func OpenURL(dbURL, dataDir string) (*DB, error) {
	switch {
	case dbURL == "":
		return Open(dataDir)
	case IsPostgres(dbURL):
		return OpenPostgres(dbURL)
	default:
		return nil, fmt.Errorf("--db %q is not a postgres:// URL: give postgres://USER:PASSWORD@HOST/DATABASE, or leave --db out for DATA/%s", Redact(dbURL), DBFile)
	}
}

// OpenPostgres opens the PostgreSQL database at dbURL (a postgres:// URL
// or a libpq connection string) and migrates its schema. Several hub
// hosts may open and migrate one database at the same time.
func OpenPostgres(dbURL string) (*DB, error) { return openPostgres(dbURL, SchemaVersion) }

func openPostgres(dbURL string, version int) (*DB, error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, fmt.Errorf("open the hub database %s: %w", Redact(dbURL), err)
	}
	// A hub's writes are serialised in the process; reads (the health
	// page, donors' API calls) run beside them.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to the hub database %s (is PostgreSQL running and the URL right?): %w", Redact(dbURL), err)
	}
	d := dialect{postgres: true}
	if err := migrate(db, d, version); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", Redact(dbURL), err)
	}
	return newDB(db, d), nil
}

var passwordParam = regexp.MustCompile(`(?i)(password=)('[^']*'|[^&\s]*)`)

// Redact is a database URL (or connection string) fit for a log or an
// error: without its password.
func Redact(dbURL string) string {
	dbURL = passwordParam.ReplaceAllString(dbURL, "${1}xxxxx")
	u, err := url.Parse(dbURL)
	if err != nil || u.User == nil {
		return dbURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
