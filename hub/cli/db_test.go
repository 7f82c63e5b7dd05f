package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/store/storetest"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestServeOnPostgres: serve --db keeps donors in PostgreSQL, not in
// DATA/hub.db, and the commands that read the store find them there with
// the same --db.
func TestServeOnPostgres(t *testing.T) {
	db := storetest.PostgresURL(t)
	s := startServe(t, "--db", db)
	reg := s.register(t)
	if reg.UUID == "" || reg.Token == "" {
		t.Fatalf("registration: %+v\n%s", reg, s.logs)
	}
	if _, err := os.Stat(filepath.Join(s.data, "hub.db")); err == nil {
		t.Error("serve --db postgres://... made DATA/hub.db")
	}
	if !strings.Contains(s.logs.String(), "db=postgres://") || strings.Contains(s.logs.String(), ":shardkeeper@") {
		t.Errorf("the log should name the database without its password:\n%s", s.logs)
	}
	// The donor is in PostgreSQL: challenge finds it (and has nothing to
	// ask yet); without --db it is unknown.
	if _, errOut, code := run(t, "challenge", "--data", s.data, "--db", db, reg.UUID); code != 1 || !strings.Contains(errOut, "nothing to challenge") {
		t.Errorf("challenge --db: %d %q", code, errOut)
	}
	if _, errOut, code := run(t, "challenge", "--data", s.data, reg.UUID); code != 1 || !strings.Contains(errOut, "no donor") {
		t.Errorf("challenge without --db: %d %q", code, errOut)
	}
	out, errOut, code := run(t, "health", "--data", s.data, "--db", db, "--json")
	var r struct {
		Shards []struct {
			Donors int `json:"donors"`
		}
	}
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || len(r.Shards) != 1 {
		t.Errorf("health --db: %d %v %s\n%s", code, err, errOut, out)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("serve exited %d:\n%s", code, s.logs)
	}
}

// builtData builds a data directory of the given files (whose origin is
// not real).
func builtData(t *testing.T, files map[string]string) string {
	t.Helper()
	testkit.RequireGitAnnex(t)
	collection := testkit.WriteFiles(t, files)
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := run(t, "build", "--from-dir", collection, "--base-url", "http://127.0.0.1:1/files", "--out", data); code != 0 {
		t.Fatal(errOut)
	}
	return data
}

func TestDBFlagRefusesOtherURLs(t *testing.T) {
	data := builtData(t, map[string]string{"a.txt": "alpha"})
	for _, cmd := range [][]string{
		{"serve", "--data", data, "--db", "mysql://u:secret@h/db"},
		{"firedrill", "--data", data, "--db", "mysql://u:secret@h/db", "--status"},
	} {
		out, errOut, code := run(t, cmd...)
		if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not a postgres:// URL") || strings.Contains(errOut, "secret") {
			t.Errorf("%v: exit %d, %q %q", cmd, code, out, errOut)
		}
	}
}
