package store

import (
	"strings"
	"testing"
)

func TestDialect(t *testing.T) {
	pg, lite := dialect{postgres: true}, dialect{}
	q := `SELECT '?', "a?b", 'it''s ?' FROM t WHERE a = ? AND b IN (?, ?)`
	if got, want := pg.rebind(q), `SELECT '?', "a?b", 'it''s ?' FROM t WHERE a = $1 AND b IN ($2, $3)`; got != want {
		t.Errorf("rebind:\n%s\nwant\n%s", got, want)
	}
	if lite.rebind(q) != q {
		t.Error("SQLite's statements changed")
	}
	args := []any{"x", true, false}
	if got := pg.args(args); got[1] != int64(1) || got[2] != int64(0) || args[1] != true {
		t.Errorf("args %v (caller's %v)", got, args)
	}
	m := pg.migration(migrations[2])
	for _, want := range []string{"range_start  BIGINT NOT NULL", `id          TEXT COLLATE "C" PRIMARY KEY`} {
		if !strings.Contains(m, want) {
			t.Errorf("PostgreSQL's migration 3 lacks %q:\n%s", want, m)
		}
	}
	if lite.migration(migrations[3]) != migrations[3] {
		t.Error("SQLite's migrations changed")
	}
}
