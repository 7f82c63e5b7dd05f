package cli

import (
	"github.com/spf13/pflag"

	"github.com/shardkeeper/shardkeeper/hub/store"
)

// dbHelp is the --db flag's help, the same on every command that opens
// the hub's store.
const dbHelp = "the hub's database: a PostgreSQL `URL` (postgres://USER@HOST:PORT/DATABASE, shared by every hub host; " +
	"the password from PGPASSWORD or ~/.pgpass keeps it out of the process list); default DATA/hub.db (SQLite)"

// addDBFlag adds --db to a command that opens the hub's store.
func addDBFlag(f *pflag.FlagSet, dst *string) { f.StringVar(dst, "db", "", dbHelp) }

// dbName is the database for the log: the URL without its password.
func dbName(db string) string {
	if db == "" {
		return "DATA/" + store.DBFile
	}
	return store.Redact(db)
}

// openStore opens the store --db names: DATA/hub.db when db is "".
func openStore(data, db string) (*store.DB, error) { return store.OpenURL(db, data) }
