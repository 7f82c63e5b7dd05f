// Package control is the agent's local control API: the only way the desktop
// UI and the CLI talk to a running agent. The types here are the wire format
// (JSON); their field names are a contract that scripts rely on.
package control

import (
	"context"
	"time"
)

// Agent states reported in Status.State.
const (
	StateNotJoined = "not_joined" // no hub joined yet in this home
	StateIdle      = "idle"       // nothing to do: up to date or budget full
	StateFetching  = "fetching"   // downloading files
	StatePaused    = "paused"     // paused by the donor
	StateOffline   = "offline"    // agent not running (status computed from disk)
	StateError     = "error"      // last cycle failed; see Message
)

// Status is what `shardkeeper status --json` prints and what the UI shows.
type Status struct {
	FilesProtected int64         `json:"files_protected"`
	BytesHeld      int64         `json:"bytes_held"`
	BudgetBytes    int64         `json:"budget_bytes"`
	Paused         bool          `json:"paused"`
	State          string        `json:"state"`
	Message        string        `json:"message,omitempty"` // plain-language explanation of State
	Hub            string        `json:"hub,omitempty"`
	DonorUUID      string        `json:"donor_uuid,omitempty"`
	Storage        string        `json:"storage,omitempty"`
	Shards         []ShardStatus `json:"shards"`
	LastCycle      *time.Time    `json:"last_cycle,omitempty"` // end of the last fill cycle
}

// ShardStatus is one shard this donor holds part of.
type ShardStatus struct {
	Name      string `json:"name"`
	Path      string `json:"path,omitempty"` // the donor's git-annex repository
	Files     int64  `json:"files"`          // files in the shard
	FilesHeld int64  `json:"files_held"`
	BytesHeld int64  `json:"bytes_held"`
}

// API is what a client (UI, CLI) can ask of the agent.
type API interface {
	Status(ctx context.Context) (Status, error)
	Pause(ctx context.Context) error
	Resume(ctx context.Context) error
}
