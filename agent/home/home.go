// Package home is the one folder that holds all of a donor's state: its
// configuration (with the hub token), runtime state, control socket and
// logs. Several donors on one machine simply use several homes.
package home

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/atomicfile"
)

// EnvVar selects the home when --home is not given.
const EnvVar = "SHARDKEEPER_HOME"

// Home is a donor's state folder.
type Home struct{ Dir string }

// Resolve picks the home: the flag, then $SHARDKEEPER_HOME, then the
// user's config folder.
func Resolve(flag string) (Home, error) {
	dir := flag
	if dir == "" {
		dir = os.Getenv(EnvVar)
	}
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return Home{}, fmt.Errorf("find a folder for Shardkeeper's state: %w (set --home or %s)", err, EnvVar)
		}
		dir = filepath.Join(base, "shardkeeper")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Home{}, fmt.Errorf("home %q: %w", dir, err)
	}
	return Home{Dir: abs}, nil
}

// Ensure creates the home, readable by its owner only (it holds a secret).
func (h Home) Ensure() error {
	if err := os.MkdirAll(h.Dir, 0o700); err != nil {
		return fmt.Errorf("create home %s: %w", h.Dir, err)
	}
	return nil
}

func (h Home) ConfigPath() string { return filepath.Join(h.Dir, "config.json") }
func (h Home) StatePath() string  { return filepath.Join(h.Dir, "state.json") }
func (h Home) SocketPath() string { return filepath.Join(h.Dir, "agent.sock") }
func (h Home) LogPath() string    { return filepath.Join(h.Dir, "logs", "agent.log") }

// Config is what `join` sets up; it changes only by donor action.
type Config struct {
	Hub         string        `json:"hub"`
	DonorUUID   string        `json:"donor_uuid"`
	Token       string        `json:"token"` // secret: this file is 0600
	Name        string        `json:"name,omitempty"`
	Storage     string        `json:"storage"`
	BudgetBytes int64         `json:"budget_bytes"`
	Shards      []ShardConfig `json:"shards"`
	JoinedAt    time.Time     `json:"joined_at"`
}

// ShardConfig is one shard repository the donor holds part of.
type ShardConfig struct {
	Name  string `json:"name"`
	URL   string `json:"url"`
	Path  string `json:"path"`
	Files int64  `json:"files"`
	Bytes int64  `json:"bytes"`
}

// State is what the agent keeps across restarts besides the config.
type State struct {
	Paused    bool      `json:"paused"`
	Message   string    `json:"message,omitempty"`
	LastCycle time.Time `json:"last_cycle,omitempty"`
}

// ErrNotJoined means the home has no configuration yet.
var ErrNotJoined = errors.New("this home has not joined a hub yet")

// LoadConfig reads the configuration.
func (h Home) LoadConfig() (Config, error) {
	var c Config
	err := readJSON(h.ConfigPath(), &c)
	if errors.Is(err, fs.ErrNotExist) {
		return c, fmt.Errorf("%w: run `shardkeeper join --hub URL --storage DIR --budget SIZE` (home %s)", ErrNotJoined, h.Dir)
	}
	return c, err
}

// SaveConfig writes the configuration atomically, owner-readable only.
func (h Home) SaveConfig(c Config) error { return writeJSON(h.ConfigPath(), c) }

// LoadState reads the runtime state; a missing file is the zero state.
func (h Home) LoadState() (State, error) {
	var s State
	err := readJSON(h.StatePath(), &s)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, nil
	}
	return s, err
}

// SaveState writes the runtime state atomically.
func (h Home) SaveState(s State) error { return writeJSON(h.StatePath(), s) }

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read %s: %w (the file is damaged; move it away to start over)", path, err)
	}
	return nil
}

// writeJSON replaces path atomically, owner-readable only (the config holds
// the hub token).
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o600)
}
