package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestRegisterAssignAuthenticate(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1700000000, 0)
	s, err := OpenFile(dir, []string{"shard-0002", "shard-0001"})
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	var shards []string
	for i := 0; i < 3; i++ {
		d, token, err := s.Register("donor", now)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) != 64 || d.TokenHash == token || d.RegisteredAt != now.UTC() {
			t.Errorf("donor %+v token %q", d, token)
		}
		if u, err := uuid.Parse(d.UUID); err != nil || u.Version() != 4 {
			t.Errorf("uuid %q is not a v4 UUID", d.UUID)
		}
		tokens = append(tokens, token)
		shards = append(shards, d.Shard)
	}
	if strings.Join(shards, " ") != "shard-0001 shard-0002 shard-0001" {
		t.Errorf("assignment %v, want fewest donors first, ties to the lowest name", shards)
	}

	raw, _ := os.ReadFile(filepath.Join(dir, "donors.json"))
	for _, tok := range tokens {
		if strings.Contains(string(raw), tok) {
			t.Fatal("donors.json holds a token")
		}
	}
	reopened, err := OpenFile(dir, []string{"shard-0001", "shard-0002"})
	if err != nil {
		t.Fatal(err)
	}
	for i, tok := range tokens {
		d, ok := reopened.Authenticate(tok)
		if !ok || d.Shard != shards[i] {
			t.Errorf("token %d: %+v %v", i, d, ok)
		}
	}
	for _, bad := range []string{"", "x", strings.Repeat("0", 64)} {
		if _, ok := reopened.Authenticate(bad); ok {
			t.Errorf("token %q accepted", bad)
		}
	}
	if d, _, _ := reopened.Register("", now); d.Shard != "shard-0002" {
		t.Errorf("after reopen assigned %s, want shard-0002", d.Shard)
	}
}

func TestRegisterWithoutShards(t *testing.T) {
	s, err := OpenFile(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Register("x", time.Now()); !errors.Is(err, ErrNoShards) {
		t.Errorf("err = %v, want ErrNoShards", err)
	}
}

func TestUnwritableRegistryKeepsMemoryUnchanged(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenFile(filepath.Join(dir, "missing-dir"), []string{"shard-0001"})
	if _, _, err := s.Register("x", time.Now()); err == nil {
		t.Fatal("register into a missing directory succeeded")
	}
	if len(s.donors) != 0 {
		t.Error("failed registration kept in memory")
	}
}
