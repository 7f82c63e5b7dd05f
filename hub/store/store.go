// Package store is the hub's donor registry: who the donors are, how they
// prove it (a token whose hash alone is kept) and which shard each holds.
package store

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/shardkeeper/shardkeeper/internal/atomicfile"
)

// Donor is a registered donor. The token itself is never stored.
type Donor struct {
	UUID         string    `json:"uuid"`       // also the donor's git-annex repository UUID
	TokenHash    string    `json:"token_hash"` // hex SHA-256 of the token
	Name         string    `json:"name,omitempty"`
	Shard        string    `json:"shard"`
	RegisteredAt time.Time `json:"registered_at"`
}

// Store is the registry; a database-backed one can replace File.
type Store interface {
	// Register creates a donor assigned to a shard and returns it with its
	// token, which is shown to the donor once and never again.
	Register(name string, now time.Time) (Donor, string, error)
	// Authenticate finds the donor a token belongs to.
	Authenticate(token string) (Donor, bool)
}

// ErrNoShards is returned by Register when there is nothing to assign.
var ErrNoShards = errors.New("the hub has no shards to assign")

// File keeps the registry in one JSON file (DATA/donors.json), rewritten
// atomically on every change. Fine for thousands of donors.
type File struct {
	mu     sync.Mutex
	path   string
	shards []string // sorted, so ties go to the lowest name
	donors []Donor
}

var _ Store = (*File)(nil)

// OpenFile loads DATA/donors.json (absent means no donors yet); shards are
// the names donors can be assigned to.
func OpenFile(dataDir string, shards []string) (*File, error) {
	f := &File{path: filepath.Join(dataDir, "donors.json"), shards: slices.Sorted(slices.Values(shards))}
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read donor registry: %w", err)
	}
	if err := json.Unmarshal(data, &f.donors); err != nil {
		return nil, fmt.Errorf("read donor registry %s: %w", f.path, err)
	}
	return f, nil
}

// Register implements Store.
func (f *File) Register(name string, now time.Time) (Donor, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	shard, ok := f.leastAssigned()
	if !ok {
		return Donor{}, "", ErrNoShards
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return Donor{}, "", fmt.Errorf("make donor uuid: %w", err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return Donor{}, "", fmt.Errorf("make donor token: %w", err)
	}
	token := hex.EncodeToString(secret)
	d := Donor{UUID: id.String(), TokenHash: hashToken(token), Name: name, Shard: shard, RegisteredAt: now.UTC()}
	if err := f.save(append(slices.Clip(f.donors), d)); err != nil {
		return Donor{}, "", err
	}
	return d, token, nil
}

// Authenticate implements Store. It compares the token's hash with every
// donor's in constant time, so timing says nothing about which hash matched.
func (f *File) Authenticate(token string) (Donor, bool) {
	if token == "" {
		return Donor{}, false
	}
	h := []byte(hashToken(token))
	f.mu.Lock()
	defer f.mu.Unlock()
	found := -1
	for i, d := range f.donors {
		if subtle.ConstantTimeCompare(h, []byte(d.TokenHash)) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Donor{}, false
	}
	return f.donors[found], true
}

// leastAssigned is the shard with the fewest donors; ties go to the lowest
// name, so shards fill in order.
func (f *File) leastAssigned() (string, bool) {
	count := map[string]int{}
	for _, d := range f.donors {
		count[d.Shard]++
	}
	best := ""
	for _, s := range f.shards {
		if best == "" || count[s] < count[best] {
			best = s
		}
	}
	return best, best != ""
}

// save writes donors and adopts them only once they are on disk.
func (f *File) save(donors []Donor) error {
	data, err := json.MarshalIndent(donors, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(f.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save donor registry: %w", err)
	}
	f.donors = donors
	return nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
