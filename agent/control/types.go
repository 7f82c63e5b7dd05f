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

	// PausedUntil is when a timed pause ends; nil while not paused or
	// paused until resumed.
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	// Budget is the three limits, the effective budget and the disk.
	Budget *Budget `json:"budget,omitempty"`
	// Transfers under way.
	Transfers []Transfer `json:"transfers,omitempty"`
	// FilesFewCopies is how many held files have fewer than the target
	// number of copies anywhere else ("you are one of N copies").
	FilesFewCopies int64 `json:"files_few_copies"`
	// Locations are the storage locations and their verification.
	Locations []Location `json:"locations"`
	// Activity is bytes fetched per day, oldest first, for the last days.
	Activity []DayActivity `json:"activity,omitempty"`
	// Verifying is set while a verification runs.
	Verifying *Progress `json:"verifying,omitempty"`
	// Leaving is set after `shardkeeper leave` until the donor is gone.
	Leaving bool `json:"leaving,omitempty"`

	// Added by the agent (issue 4):

	// Releasing is set while space is given back after a lower budget.
	Releasing *Progress `json:"releasing,omitempty"`
	// FilesSkipped is how many files failed to download repeatedly and
	// are left alone for a day (see `shardkeeper log`).
	FilesSkipped int64 `json:"files_skipped"`
	// TargetCopies is the hub's wanted number of donor copies per file.
	TargetCopies int `json:"target_copies,omitempty"`
	// LastReport is when the hub last got this donor's report (a push).
	LastReport *time.Time `json:"last_report,omitempty"`
	// HubProblem says why the last report failed ("": it did not).
	HubProblem string `json:"hub_problem,omitempty"`
	// LeaveDeadline is when a leaving donor gives back even files that
	// still lack copies.
	LeaveDeadline *time.Time `json:"leave_deadline,omitempty"`
	// Left is set once the donor gave everything back and deregistered.
	Left bool `json:"left,omitempty"`

	// Added for verification (issue 6):

	// LastVerification is how the last (or the running) verification
	// went; nil: none since the agent started.
	LastVerification *VerifyReport `json:"last_verification,omitempty"`

	// Added for restores (issue 9):

	// Restore is what the archive asked this donor to send back.
	Restore RestoreStatus `json:"restore"`
}

// RestoreStatus counts the files the archive asked back from this donor
// (a fire drill or a real restore).
type RestoreStatus struct {
	Requested     int64 `json:"requested"`      // open requests for files held here
	Uploaded      int64 `json:"uploaded"`       // uploads the hub accepted, ever
	BytesUploaded int64 `json:"bytes_uploaded"` // their bytes
}

// VerifyReport is what one verification found.
type VerifyReport struct {
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"` // nil while it runs
	// Outcome: "running", "done", "paused", "time_limit" (goes on later),
	// "not_connected" (a drive went away; its results discarded), "error".
	Outcome      string   `json:"outcome"`
	Message      string   `json:"message,omitempty"`
	Checked      int64    `json:"checked"`  // files checked
	Problems     int64    `json:"problems"` // files found bad or missing
	ProblemFiles []string `json:"problem_files"`
	Repair       string   `json:"repair,omitempty"` // what the agent started to fix them
}

// Limits are a donor's three space limits; the most restrictive wins.
// Zero means "no limit of this kind".
type Limits struct {
	MaxBytes      int64   `json:"max_bytes"`       // use at most this much
	KeepFreeBytes int64   `json:"keep_free_bytes"` // leave at least this much free on the drive
	MaxPercent    float64 `json:"max_percent"`     // use at most this % of the drive
}

// Names of the limit that binds, in Budget.Binding.
const (
	BindMaxBytes   = "max_bytes"
	BindKeepFree   = "keep_free"
	BindMaxPercent = "max_percent"
)

// Disk is the picture of the drive that holds a storage location.
type Disk struct {
	Path              string `json:"path"`
	TotalBytes        int64  `json:"total_bytes"`
	AvailableBytes    int64  `json:"available_bytes"` // free and usable by this user
	UsedByShardkeeper int64  `json:"used_by_shardkeeper"`
	UsedByOthers      int64  `json:"used_by_others"`
}

// Budget is the effective budget and why.
type Budget struct {
	Limits
	EffectiveBytes int64  `json:"effective_bytes"`
	Binding        string `json:"binding"` // one of Bind*
	Disk           Disk   `json:"disk"`
	// RepositoryBytes is what the shard repositories' own files take (in
	// used_by_shardkeeper), GrowthRoomBytes the room kept free under the
	// budget for them to grow: the budget holds files only above both.
	RepositoryBytes int64 `json:"repository_bytes"`
	GrowthRoomBytes int64 `json:"growth_room_bytes"`
}

// BudgetPlan is what a change of limits would do (or did).
type BudgetPlan struct {
	Budget       Budget `json:"budget"`
	ReleaseBytes int64  `json:"release_bytes"` // space given back to fit the new budget
	ReleaseFiles int64  `json:"release_files"`
}

// Transfer is one download under way.
type Transfer struct {
	Shard       string  `json:"shard"`
	Key         string  `json:"key"`
	File        string  `json:"file,omitempty"`
	DoneBytes   int64   `json:"done_bytes"`
	TotalBytes  int64   `json:"total_bytes"`
	BytesPerSec float64 `json:"bytes_per_sec"`
}

// Location is a storage location (a folder, maybe on a removable drive).
type Location struct {
	Path             string     `json:"path"`
	ID               string     `json:"id,omitempty"`
	Online           bool       `json:"online"`
	OfflineSince     *time.Time `json:"offline_since,omitempty"`
	LastVerified     *time.Time `json:"last_verified"` // null: never
	NextVerification *time.Time `json:"next_verification"`
	BudgetBytes      int64      `json:"budget_bytes,omitempty"`
}

// Progress of a long job.
type Progress struct {
	Done    int64   `json:"done"`
	Total   int64   `json:"total"`
	Percent float64 `json:"percent"`
}

// DayActivity is one day of work.
type DayActivity struct {
	Day          string `json:"day"` // YYYY-MM-DD, local time
	BytesFetched int64  `json:"bytes_fetched"`
	FilesFetched int64  `json:"files_fetched"`
}

// FileQuery selects files of the donor's shards, paged.
type FileQuery struct {
	Shard    string `json:"shard,omitempty"`
	Filter   string `json:"filter,omitempty"`    // case-insensitive substring of the path
	HeldOnly bool   `json:"held_only,omitempty"` // only files this donor holds
	Offset   int    `json:"offset,omitempty"`
	Limit    int    `json:"limit,omitempty"` // default 100
}

// File is one file of a shard.
type File struct {
	Shard     string `json:"shard"`
	Path      string `json:"path"`
	Key       string `json:"key"`
	Size      int64  `json:"size"`
	Held      bool   `json:"held"`
	Copies    int    `json:"copies"`               // donor copies, this donor included
	LocalPath string `json:"local_path,omitempty"` // where to open it, when held
}

// FileList is one page of files.
type FileList struct {
	Files  []File `json:"files"`
	Total  int    `json:"total"` // matching files in all pages
	Offset int    `json:"offset"`
}

// Event kinds.
const (
	EventTransfer = "transfer" // progress of one download
	EventFetched  = "fetched"
	EventDropped  = "dropped"
	EventError    = "error"
	EventPaused   = "paused"
	EventResumed  = "resumed"
	EventBudget   = "budget"
	EventVerify   = "verify"
	EventHub      = "hub"
	EventStorage  = "storage" // a storage location went, came back or moved
	// A restore upload started, ended or was refused; the archive
	// verified an upload of this donor (the UI thanks the donor).
	EventRestore         = "restore"
	EventRestoreVerified = "restore_verified"
)

// Event is something the agent did or saw.
type Event struct {
	Time     time.Time `json:"time"`
	Kind     string    `json:"kind"`
	Message  string    `json:"message"` // plain language
	Shard    string    `json:"shard,omitempty"`
	Key      string    `json:"key,omitempty"`
	File     string    `json:"file,omitempty"`
	Transfer *Transfer `json:"transfer,omitempty"`
	Cause    Cause     `json:"cause,omitempty"` // error events: why, when the agent can say
}

// Settings are what the donor can change besides the budget.
type Settings struct {
	Limits          Limits `json:"limits"`
	BandwidthKBps   int    `json:"bandwidth_kbps"`    // 0: unlimited
	Schedule        string `json:"schedule"`          // "" always, or "01:00-07:00"
	OffHoursKBps    int    `json:"off_hours_kbps"`    // outside the schedule: 0 = do not fetch
	PauseOnBattery  bool   `json:"pause_on_battery"`  // where the OS tells
	PauseOnMetered  bool   `json:"pause_on_metered"`  // where the OS tells
	DisplayName     string `json:"display_name"`      // for the hub's leaderboard
	ShowOnBoard     bool   `json:"show_on_board"`     // opt-in
	StartAtLogin    bool   `json:"start_at_login"`    // the OS service
	VerifyEveryDays int    `json:"verify_every_days"` // default 30
	// VerifyKBps is verification's I/O limit in KB/s (0: unlimited).
	VerifyKBps int `json:"verify_kbps"`
	// RestoreInScheduleOnly keeps restore uploads to the download hours;
	// by default (false) the donor helps restores at any time.
	RestoreInScheduleOnly bool `json:"restore_in_schedule_only,omitempty"`
	// Region is where the donor roughly is, one of annex.Regions ("":
	// not said). Copies of a file spread over regions.
	Region string `json:"region,omitempty"`
	// MaxFileBytes opts in to large files: the donor holds single files up
	// to this size and takes the largest first (0: no opt-in).
	MaxFileBytes int64 `json:"max_file_bytes,omitempty"`
	// KeepRemovedFiles keeps files the archive removed in a rebuild
	// (default true); false gives their space back.
	KeepRemovedFiles bool `json:"keep_removed_files"`
}

// ShardStatus is one shard this donor holds part of.
type ShardStatus struct {
	Name      string `json:"name"`
	Path      string `json:"path,omitempty"` // the donor's git-annex repository
	Files     int64  `json:"files"`          // files in the shard
	FilesHeld int64  `json:"files_held"`
	BytesHeld int64  `json:"bytes_held"`
	// Collection is the hub's collection the shard belongs to.
	Collection string `json:"collection,omitempty"`
	// Leaving: the donor gives this shard back (shards remove).
	Leaving bool `json:"leaving,omitempty"`
}

// Sharder is implemented by agents that take more shards and give single
// shards back (shardkeeper shards add/remove, Settings).
type Sharder interface {
	// AddShard asks the hub for a shard of collection ("": where it is
	// needed most) and sets it up.
	AddShard(ctx context.Context, collection string) (ShardStatus, error)
	// RemoveShard gives one shard back under the leave rules: files others
	// hold enough of go at once, the rest when others have them.
	RemoveShard(ctx context.Context, shard string) error
	// Collections lists the hub's collections, neediest first.
	Collections(ctx context.Context) ([]Collection, error)
}

// Collection is one of the hub's collections and its need.
type Collection struct {
	Name               string `json:"name"`
	Description        string `json:"description,omitempty"`
	Files              int64  `json:"files"`
	Bytes              int64  `json:"bytes"`
	FilesBelowTarget   int64  `json:"files_below_target"`
	BytesLackingCopies int64  `json:"bytes_lacking_copies"`
}

// Need is the share of the collection's bytes that lack copies, 0..1.
func (c Collection) Need() float64 {
	if c.Bytes <= 0 {
		return 0
	}
	return min(float64(c.BytesLackingCopies)/float64(c.Bytes), 1)
}

// ShardRequest is the body of POST /v1/shards and /v1/shards/remove.
type ShardRequest struct {
	Collection string `json:"collection,omitempty"`
	Shard      string `json:"shard,omitempty"`
}

// API is what a client (UI, CLI) can ask of the agent.
type API interface {
	Status(ctx context.Context) (Status, error)
	// Pause until Resume.
	Pause(ctx context.Context) error
	// PauseUntil pauses until a time (a snooze); it survives restarts.
	PauseUntil(ctx context.Context, until time.Time) error
	Resume(ctx context.Context) error

	// PreviewBudget says what new limits would do, changing nothing.
	PreviewBudget(ctx context.Context, l Limits) (BudgetPlan, error)
	// SetBudget applies new limits at once; lowering gives space back.
	SetBudget(ctx context.Context, l Limits) (BudgetPlan, error)

	Files(ctx context.Context, q FileQuery) (FileList, error)
	// Release drops one held file (the donor wants the space back).
	Release(ctx context.Context, shard, path string) error

	// Verify starts a verification of everything held now.
	Verify(ctx context.Context) error

	Settings(ctx context.Context) (Settings, error)
	UpdateSettings(ctx context.Context, s Settings) error

	// Events streams what the agent does, starting with recent history,
	// until ctx ends.
	Events(ctx context.Context) (<-chan Event, error)
	// LogTail returns the last lines of the agent's log.
	LogTail(ctx context.Context, lines int) ([]string, error)

	// Leave starts "finish and give my space back".
	Leave(ctx context.Context) error

	// AddStorage adds a storage folder (a full path) that holds up to
	// budgetBytes of new shards (0: the limits on its drive, or half of it).
	AddStorage(ctx context.Context, path string, budgetBytes int64) (Location, error)
	// RemoveStorage forgets a storage folder that holds no shard; the
	// main folder stays.
	RemoveStorage(ctx context.Context, path string) error
}
