package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shardkeeper/shardkeeper/hub/store/storetest"
)

var t0 = time.Unix(1700000000, 0).UTC()

// backend is one fresh database of the shared suite: SQLite (DATA/hub.db
// in dir) or PostgreSQL (url).
type backend struct {
	name, url, dir string
}

// eachBackend runs the suite's test fn on SQLite and on PostgreSQL.
func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	storetest.Run(t, func(t *testing.T, url string) {
		name := "sqlite"
		if url != "" {
			name = "postgres"
		}
		fn(t, backend{name: name, url: url, dir: t.TempDir()})
	})
}

// open opens a handle on the backend's database: the first, a reopened
// one after a restart, or another hub host's.
func (b backend) open(t *testing.T) *DB {
	t.Helper()
	s, err := OpenURL(b.url, b.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openAt opens the backend's database migrated only to version, as an
// older hub left it.
func (b backend) openAt(t *testing.T, version int) *DB {
	t.Helper()
	var s *DB
	var err error
	if b.url == "" {
		s, err = open(filepath.Join(b.dir, DBFile), version, "")
	} else {
		s, err = openPostgres(b.url, version)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// first always picks the first shard it may.
func first(shards ...string) Picker {
	return func(_ map[string]int, exclude []string) (string, error) {
		for _, s := range shards {
			if !strings.Contains(strings.Join(exclude, " "), s) {
				return s, nil
			}
		}
		return "", ErrNoShards
	}
}

func TestRegisterAuthenticateAndTokenNeverStored(t *testing.T) {
	eachBackend(t, testRegisterAuthenticate)
}

func testRegisterAuthenticate(t *testing.T, b backend) {
	s := b.open(t)
	var tokens []string
	for i := 0; i < 3; i++ {
		d, token, err := s.Register("donor", i == 1, t0, first("shard-0001"))
		if err != nil {
			t.Fatal(err)
		}
		if len(token) != 64 || d.TokenHash == token || d.TokenHash != HashToken(token) || !d.RegisteredAt.Equal(t0) {
			t.Errorf("donor %+v token %q", d, token)
		}
		if u, err := uuid.Parse(d.UUID); err != nil || u.Version() != 4 {
			t.Errorf("uuid %q is not a v4 UUID", d.UUID)
		}
		tokens = append(tokens, token)
	}
	if n := countWhere(t, s, `SELECT COUNT(*) FROM donors WHERE token_hash IN (?, ?, ?)`, tokens[0], tokens[1], tokens[2]); n != 0 {
		t.Fatalf("%d donors have their token stored", n)
	}
	s.Close()
	for _, name := range []string{DBFile, DBFile + "-wal"} {
		raw, _ := os.ReadFile(filepath.Join(b.dir, name))
		for _, tok := range tokens {
			if strings.Contains(string(raw), tok) {
				t.Fatalf("%s holds a token", name)
			}
		}
	}
	re := b.open(t)
	for i, tok := range tokens {
		d, ok := re.Authenticate(tok)
		if !ok || d.Shards[0] != "shard-0001" || d.ShowOnBoard != (i == 1) {
			t.Errorf("token %d: %+v %v", i, d, ok)
		}
	}
	for _, bad := range []string{"", "x", strings.Repeat("0", 64), HashToken(tokens[0])} {
		if _, ok := re.Authenticate(bad); ok {
			t.Errorf("token %q accepted", bad)
		}
	}
}

// countWhere runs a COUNT(*) query.
func countWhere(t *testing.T, s *DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.q.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDonorLifecycle(t *testing.T) { eachBackend(t, testDonorLifecycle) }

func testDonorLifecycle(t *testing.T, b backend) {
	s := b.open(t)
	d, _, err := s.Register("", false, t0, first("shard-0001", "shard-0002"))
	if err != nil {
		t.Fatal(err)
	}
	name, show := "alice", true
	if d, err = s.Update(d.UUID, Patch{Name: &name, ShowOnBoard: &show}); err != nil || d.Name != "alice" || !d.ShowOnBoard {
		t.Fatalf("update: %+v %v", d, err)
	}
	if d, _, err = s.AddShard(d.UUID, t0.Add(time.Hour), first("shard-0001", "shard-0002")); err != nil || strings.Join(d.Shards, ",") != "shard-0001,shard-0002" {
		t.Fatalf("add shard: %+v %v", d, err)
	}
	if _, _, err = s.AddShard(d.UUID, t0, first("shard-0001", "shard-0002")); !errors.Is(err, ErrNoShards) {
		t.Errorf("third shard: %v, want ErrNoShards", err)
	}
	if err := s.CheckIn(d.UUID, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	s.CheckIn(d.UUID, t0.Add(time.Hour)) // late and older: ignored
	if d, _ = s.Donor(d.UUID); !d.LastSeen.Equal(t0.Add(2*time.Hour)) || !d.HeardFrom().Equal(d.LastSeen) {
		t.Errorf("last seen %v", d.LastSeen)
	}
	if d, err = s.Leave(d.UUID, t0.Add(3*time.Hour)); err != nil || !d.Leaving() {
		t.Fatalf("leave: %+v %v", d, err)
	}
	if a, _ := s.assigned(); a["shard-0001"] != 0 {
		t.Errorf("a leaving donor still counts as assigned: %v", a)
	}
	if err := s.Delete(d.UUID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Donor(d.UUID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted donor: %v", err)
	}
	for _, err := range []error{s.Delete(d.UUID), s.CheckIn(d.UUID, t0)} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown donor: %v", err)
		}
	}
	if ds, _ := s.Donors(); len(ds) != 0 {
		t.Errorf("donors left: %+v", ds)
	}
}

// TestMigratesOlderSchema opens a database left at schema version 1 (one
// shard per donor) and checks the donor survives the migration.
func TestMigratesOlderSchema(t *testing.T) {
	eachBackend(t, testMigratesOlderSchema)
}

func testMigratesOlderSchema(t *testing.T, b backend) {
	s := migrated(t, b, 1, `INSERT INTO donors (uuid, token_hash, name, shard, registered_at) VALUES ('u1', ?, 'old', 'shard-0003', ?)`,
		HashToken("tok"), t0.UnixNano())
	var v int
	s.q.QueryRow(`SELECT version FROM schema_version`).Scan(&v)
	if v != SchemaVersion || SchemaVersion < 2 {
		t.Errorf("schema version %d, want %d", v, SchemaVersion)
	}
	d, ok := s.Authenticate("tok")
	if !ok || d.UUID != "u1" || d.Name != "old" || strings.Join(d.Shards, ",") != "shard-0003" || !d.RegisteredAt.Equal(t0) || !d.LastSeen.IsZero() {
		t.Errorf("migrated donor %+v %v", d, ok)
	}
}

// migrated is a database left at schema version by an older hub, with
// seed run on it, then opened by this one.
func migrated(t *testing.T, b backend, version int, seed string, args ...any) *DB {
	t.Helper()
	old := b.openAt(t, version)
	if _, err := old.q.Exec(seed, args...); err != nil {
		t.Fatal(err)
	}
	old.Close()
	return b.open(t)
}

func TestRefusesNewerSchema(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t)
		s.q.Exec(`UPDATE schema_version SET version = 99`)
		s.Close()
		if _, err := OpenURL(b.url, b.dir); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestImportsDonorsJSON(t *testing.T) {
	dir := t.TempDir()
	json := `[{"uuid":"u1","token_hash":"` + HashToken("tok") + `","name":"n","shard":"shard-0002","registered_at":"2023-11-14T22:13:20Z"}]`
	os.WriteFile(filepath.Join(dir, "donors.json"), []byte(json), 0o600)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := s.Authenticate("tok")
	if !ok || d.Shards[0] != "shard-0002" || !d.RegisteredAt.Equal(t0) {
		t.Errorf("imported %+v %v", d, ok)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "donors.json.imported")); err != nil {
		t.Error("donors.json not renamed after import")
	}
	s, _ = Open(dir)
	defer s.Close()
	if ds, _ := s.Donors(); len(ds) != 1 {
		t.Errorf("donors after reopen: %d", len(ds))
	}
}

func TestNeediest(t *testing.T) {
	lacking := map[string]int64{"a": 300, "b": 200, "c": 0, "d": 200}
	for _, tc := range []struct {
		assigned map[string]int
		exclude  []string
		fallback bool
		want     string
	}{
		{nil, nil, false, "a"},                                    // most lacking
		{map[string]int{"a": 1}, nil, false, "b"},                 // 300/2 < 200/1; b before d
		{map[string]int{"a": 1, "b": 1}, nil, false, "d"},         // 150, 100, 200
		{map[string]int{"a": 5, "b": 5, "d": 5}, nil, false, "a"}, // c is finished: never while others lack
		{nil, []string{"a", "b", "d"}, false, ""},                 // only c is left, and it is finished
		{map[string]int{"c": 2, "a": 1}, []string{"b", "d"}, true, "a"},
	} {
		got, err := Neediest(lacking, tc.fallback)(tc.assigned, tc.exclude)
		if got != tc.want || (tc.want == "") != errors.Is(err, ErrNoShards) {
			t.Errorf("assigned %v exclude %v: %q %v, want %q", tc.assigned, tc.exclude, got, err, tc.want)
		}
	}
	// Nothing lacks copies: a new donor still gets the shard with the fewest donors.
	done := map[string]int64{"a": 0, "b": 0}
	if got, _ := Neediest(done, true)(map[string]int{"a": 2, "b": 1}, nil); got != "b" {
		t.Errorf("fallback picked %q", got)
	}
	if _, err := Neediest(done, false)(nil, nil); !errors.Is(err, ErrNoShards) {
		t.Errorf("more shards when none lacks copies: %v", err)
	}
}
