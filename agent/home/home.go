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

// EndpointPath is where an agent that listens on loopback TCP (Windows)
// writes its address and per-user token.
func (h Home) EndpointPath() string { return filepath.Join(h.Dir, "agent.endpoint") }

// SettingsPath holds the donor's settings (limits, bandwidth, schedule).
func (h Home) SettingsPath() string { return filepath.Join(h.Dir, "settings.json") }

// FailuresPath holds per-file download failures, so backoff survives restarts.
func (h Home) FailuresPath() string { return filepath.Join(h.Dir, "failures.json") }

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
	// TargetCopies is the hub's wanted number of donor copies per file,
	// as of registration (0: not said; the agent asks the hub again).
	TargetCopies int `json:"target_copies,omitempty"`
	// Locations are the storage folders, maybe on drives that come and
	// go; the first is Storage (older configs get it on load).
	Locations []LocationConfig `json:"locations,omitempty"`
}

// LocationConfig is one storage folder; it holds one or more shard repos.
type LocationConfig struct {
	ID   string `json:"id"`
	Path string `json:"path"` // where it was last seen
	// BudgetBytes caps this location. The first location follows the
	// donor's limits; another one with 0 follows the keep-free and percent
	// limits on its own drive (or uses at most half of it).
	BudgetBytes int64     `json:"budget_bytes,omitempty"`
	Added       time.Time `json:"added"`
}

// ShardConfig is one shard repository the donor holds part of.
type ShardConfig struct {
	Name  string `json:"name"`
	URL   string `json:"url"`
	Path  string `json:"path"`
	Files int64  `json:"files"`
	Bytes int64  `json:"bytes"`
	// Location is the ID of the storage location that holds the repo
	// ("": the first one).
	Location string `json:"location,omitempty"`
	// Collection is the hub's collection of the shard ("": not said).
	Collection string `json:"collection,omitempty"`
}

// State is what the agent keeps across restarts besides the config.
type State struct {
	Paused bool `json:"paused"`
	// PausedUntil ends a timed pause (a snooze); zero: until resumed.
	PausedUntil time.Time `json:"paused_until,omitzero"`
	Message     string    `json:"message,omitempty"`
	LastCycle   time.Time `json:"last_cycle,omitzero"`
	LastPush    time.Time `json:"last_push,omitzero"`
	// Released keys were given back by the donor one by one: never fetched again.
	Released []string `json:"released,omitempty"`
	// Activity is bytes and files fetched per local day, oldest first.
	Activity []DayActivity `json:"activity,omitempty"`
	Leaving  *Leaving      `json:"leaving,omitempty"`
	// Left is when the donor deregistered after giving everything back.
	Left time.Time `json:"left,omitzero"`
	// Verification of held files ("shardkeeper verify").
	LastVerified  time.Time `json:"last_verified,omitzero"`
	VerifyPending bool      `json:"verify_pending,omitempty"` // interrupted: continue where it stopped
	// NoMoreShardsUntil: the hub had no other shard to give; ask again then.
	NoMoreShardsUntil time.Time `json:"no_more_shards_until,omitzero"`
	// Locations is the verification schedule per storage location ID.
	Locations map[string]LocationState `json:"locations,omitempty"`
	// Replaced are old versions of files a rebuild changed, "SHARD KEY"
	// -> the new version's key: the old one goes once the new one is held.
	Replaced map[string]string `json:"replaced,omitempty"`
	// LeavingShards are shards being given back one by one, since when.
	LeavingShards map[string]time.Time `json:"leaving_shards,omitempty"`
}

// LocationState is what the schedule remembers of a storage location.
type LocationState struct {
	LastVerified time.Time `json:"last_verified,omitzero"`
	LastCheckIn  time.Time `json:"last_check_in,omitzero"`
	// VerifyStarted is set while a run is under way or interrupted (a
	// pause, a time cap, an unplugged drive): the next run continues it.
	VerifyStarted time.Time `json:"verify_started,omitzero"`
	// Resume: that run has begun; it continues after its cursor.
	Resume bool `json:"resume,omitempty"`
	// VerifyShard and VerifyKey are the resume cursor: the run checks
	// shards in name order and keys in byte order, and goes on after the
	// last key it finished and recorded (empty: from the beginning).
	VerifyShard string `json:"verify_shard,omitempty"`
	VerifyKey   string `json:"verify_key,omitempty"`
	// RestUntil: a run stopped at its time cap continues after this.
	RestUntil    time.Time `json:"rest_until,omitzero"`
	OfflineSince time.Time `json:"offline_since,omitzero"`
}

// DayActivity is one day of fetching.
type DayActivity struct {
	Day   string `json:"day"` // YYYY-MM-DD, local time
	Bytes int64  `json:"bytes"`
	Files int64  `json:"files"`
}

// Leaving is "finish and give my space back" under way.
type Leaving struct {
	Since       time.Time `json:"since"`
	Deadline    time.Time `json:"deadline"`               // after it, drop even files that lack copies
	HubNotified bool      `json:"hub_notified,omitempty"` // the hub acknowledged the leave
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

// ReadJSON reads a JSON file of the home into v.
func ReadJSON(path string, v any) error { return readJSON(path, v) }

// WriteJSON replaces a JSON file of the home atomically, owner-only.
func WriteJSON(path string, v any) error { return writeJSON(path, v) }

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
