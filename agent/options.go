package agent

import (
	"context"
	"log/slog"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/storage"
)

// Options tune an agent; zero values pick sensible defaults.
type Options struct {
	Tools    Tools
	Clock    Clock // real time when nil
	Logger   *slog.Logger
	LogPath  string        // the log file LogTail reads (default: the home's)
	Jobs     int           // parallel downloads (default 4)
	Interval time.Duration // time between fill cycles (default 10m)
	Target   int           // donor copies wanted per file; 0: ask the hub (default 3)
	// ContentOnlyBudget leaves the repositories' own files out of the
	// budget (metausage.go): only for tests that reason about content
	// alone. The app never sets it.
	ContentOnlyBudget bool

	// A fill works in batches: after BatchFiles files or BatchTime, it
	// reports to the hub and re-reads what other donors did, so donors
	// that run at the same time spread out (defaults 25 and 10m). Small
	// files make a batch longer, up to BatchBytes (default 64 MiB; -1:
	// BatchFiles only) and at most MaxBatchFiles files: 25 files of a few
	// KB each took less time to fetch than the report after them.
	BatchFiles int
	BatchBytes int64
	BatchTime  time.Duration
	// StallAfter: a download whose origin sends nothing for this long is
	// cut off by the agent's download proxy and counts as failed (default
	// 2m; git-annex's annex.stalldetection is set too, but 10.20230126's
	// does not cancel a download stalled mid-body). An origin that stalls
	// mid-body would otherwise hold a download slot, and an --until-idle
	// run, forever.
	StallAfter time.Duration
	// PushEvery is the longest time between two reports to the hub
	// (default 1h); a failed report is retried after PushRetryMin,
	// doubling up to PushRetryMax (defaults 30s and 30m), with jitter.
	PushEvery    time.Duration
	PushRetryMin time.Duration
	PushRetryMax time.Duration
	// MinRoomForShard is the least free budget worth asking the hub for
	// another shard, once this donor's shards need nothing more (16 MiB).
	MinRoomForShard int64
	// PolicyEvery is how often the schedule, the power source and a
	// snooze are checked (default 30s).
	PolicyEvery time.Duration

	// MountRoots are searched for a storage location that is not where it
	// was (default: /media/$USER, /run/media/$USER, /mnt, /Volumes; drive
	// letters on Windows). MountPollEvery is how often the agent looks
	// for locations that came or went and for verification that is due
	// (default 30s).
	MountRoots     []string
	MountPollEvery time.Duration
	// VerifyTimeLimit caps one verification run (fsck --time-limit,
	// default 4h); the rest waits VerifyRestFor (default 12h) and goes on
	// where it stopped. CheckInEvery is the light check-in (default 7 days).
	VerifyTimeLimit time.Duration
	VerifyRestFor   time.Duration
	CheckInEvery    time.Duration
	// StartAtLogin installs or removes the OS service when the donor's
	// start_at_login setting changes; it says what it did (the agent
	// cannot import app/, which knows the service managers). Nil: the
	// setting is only saved.
	StartAtLogin func(on bool) (string, error)

	// RestorePollEvery is how often the hub is asked for files to send
	// back (default 30s); RestoreProgram is the shardkeeper binary
	// git-annex runs as git-annex-remote-shardkeeper (default: this one).
	RestorePollEvery time.Duration
	RestoreProgram   string
	// RestoreRetryAfter is how long a failed restore upload waits before
	// it is tried again (default 5m).
	RestoreRetryAfter time.Duration

	// DiskStat reads the drive of the storage folder (default: the OS).
	DiskStat func(path string) (DiskInfo, error)
	// Power tells whether the machine is on battery or on a metered
	// connection (default: what the OS tells, see agent/power).
	Power PowerSource
}

// PowerSource is what the OS says about power and network.
type PowerSource interface {
	OnBattery() (on bool, known bool)
	Metered(ctx context.Context) (metered bool, known bool)
}

func setDefaults(o *Options, h home.Home) {
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.LogPath == "" {
		o.LogPath = h.LogPath()
	}
	if o.Jobs <= 0 {
		o.Jobs = 4
	}
	if o.Interval <= 0 {
		o.Interval = 10 * time.Minute
	}
	if o.BatchFiles <= 0 {
		o.BatchFiles = 25
	}
	if o.BatchBytes == 0 {
		o.BatchBytes = 64 << 20
	}
	if o.BatchTime <= 0 {
		o.BatchTime = 10 * time.Minute
	}
	if o.StallAfter <= 0 {
		o.StallAfter = 2 * time.Minute
	}
	if o.PushEvery <= 0 {
		o.PushEvery = time.Hour
	}
	if o.PushRetryMin <= 0 {
		o.PushRetryMin = 30 * time.Second
	}
	if o.PushRetryMax <= 0 {
		o.PushRetryMax = 30 * time.Minute
	}
	if o.MinRoomForShard <= 0 {
		o.MinRoomForShard = 16 << 20
	}
	if o.PolicyEvery <= 0 {
		o.PolicyEvery = 30 * time.Second
	}
	if o.MountRoots == nil {
		o.MountRoots = storage.DefaultMountRoots()
	}
	if o.MountPollEvery <= 0 {
		o.MountPollEvery = 30 * time.Second
	}
	if o.VerifyTimeLimit <= 0 {
		o.VerifyTimeLimit = 4 * time.Hour
	}
	if o.VerifyRestFor <= 0 {
		o.VerifyRestFor = 12 * time.Hour
	}
	if o.CheckInEvery <= 0 {
		o.CheckInEvery = 7 * 24 * time.Hour
	}
	if o.DiskStat == nil {
		o.DiskStat = statDisk
	}
	if o.Power == nil {
		o.Power = osPower{}
	}
}

func initialTarget(o Options, cfg home.Config) int {
	switch {
	case o.Target > 0:
		return o.Target
	case cfg.TargetCopies > 0:
		return cfg.TargetCopies
	}
	return DefaultTargetCopies
}
