package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// RemoteName is the git remote the agent sets up in each shard
// repository, and ProgramName the program git-annex runs for it
// (externaltype shardkeeper).
const (
	RemoteName  = "shardhub-restore"
	ProgramName = "git-annex-remote-shardkeeper"
	// EnvShard names the shard when the repository cannot tell (set by
	// the agent for git-annex; optional).
	EnvShard = "SHARDKEEPER_SHARD"
	// EnvJobs is how many uploads the agent runs at once: each takes its
	// share of the donor's bandwidth limit.
	EnvJobs = "SHARDKEEPER_UPLOAD_JOBS"
)

// IsRemoteProgram says whether the binary was started as the external
// special remote (argv[0] is git-annex-remote-shardkeeper, with .exe on
// Windows).
func IsRemoteProgram(argv0 string) bool {
	base := filepath.Base(argv0)
	if runtime.GOOS == "windows" || strings.HasSuffix(strings.ToLower(base), ".exe") {
		base = strings.TrimSuffix(strings.ToLower(base), ".exe")
	}
	return base == ProgramName
}

// RemoteMain runs the external special remote for git-annex: the donor
// comes from $SHARDKEEPER_HOME (the agent sets it for git-annex), its
// token from that home's config, never from a command line or the
// environment.
func RemoteMain(stdin io.Reader, stdout, stderr io.Writer) int {
	h, err := home.Resolve("")
	if err == nil {
		err = Serve(context.Background(), stdin, stdout, &homeBackend{home: h, now: time.Now})
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", ProgramName, err)
		return 1
	}
	return 0
}

// homeBackend uploads as the donor of a home.
type homeBackend struct {
	home   home.Home
	now    func() time.Time
	client *Client
	shard  string
}

// Prepare finds the donor and which of its shards the repository is.
func (b *homeBackend) Prepare(ctx context.Context, gitDir, remoteUUID string) error {
	cfg, err := b.home.LoadConfig()
	if err != nil {
		return fmt.Errorf("no Shardkeeper donor in %s (set %s): %w", b.home.Dir, home.EnvVar, err)
	}
	b.shard = shardOf(cfg, gitDir)
	if b.shard == "" {
		return fmt.Errorf("the repository %s is not one of the shards of the donor in %s", gitDir, b.home.Dir)
	}
	b.client, err = NewClient(cfg.Hub, cfg.DonorUUID, cfg.Token)
	return err
}

// shardOf matches a git directory to one of the donor's shards
// ($SHARDKEEPER_SHARD wins when set).
func shardOf(cfg home.Config, gitDir string) string {
	if s := os.Getenv(EnvShard); s != "" {
		return s
	}
	want := canonical(gitDir)
	for _, sh := range cfg.Shards {
		if canonical(filepath.Join(sh.Path, ".git")) == want || canonical(sh.Path) == want {
			return sh.Name
		}
	}
	return ""
}

func canonical(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return filepath.Clean(p)
}

// Store PUTs the file's bytes to the hub at the donor's rate.
func (b *homeBackend) Store(ctx context.Context, key, file string, progress func(int64)) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("read the file to upload: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	body := newThrottled(ctx, f, b.policy, progress)
	res, err := b.client.Put(ctx, b.shard, key, body, st.Size())
	switch {
	case StatusOf(err) == http.StatusConflict:
		return "the archive already has this file back from another donor", nil
	case errors.Is(err, ErrPaused):
		return "", ErrPaused
	case err != nil:
		return "", err
	}
	return describe(res), nil
}

// describe is the hub's verdict in words.
func describe(res PutResult) string {
	msg := map[string]string{
		StateVerified:          "the archive verified this file: thank you",
		StateUploaded:          "the archive took this file and waits for a second donor's copy to agree",
		StateVerifiedSingleMD5: "the archive took this file (verified, single MD5 source): thank you",
	}[res.State]
	if msg == "" {
		msg = "the archive answered " + res.State
	}
	if res.Message != "" {
		msg += " (" + res.Message + ")"
	}
	return msg
}

// CheckPresent asks the hub whether it holds a verified copy.
func (b *homeBackend) CheckPresent(ctx context.Context, key string) (bool, error) {
	return b.client.Verified(ctx, b.shard, key)
}

// policy reads the donor's bandwidth limit and pause from the home, so a
// change made while a big file uploads applies at once.
func (b *homeBackend) policy() (int64, bool) {
	var s control.Settings
	home.ReadJSON(b.home.SettingsPath(), &s)
	st, _ := b.home.LoadState()
	paused := st.Paused && (st.PausedUntil.IsZero() || b.now().Before(st.PausedUntil))
	return int64(max(s.BandwidthKBps, 0)) * 1024 / int64(jobs()), paused
}

// jobs is how many uploads share the bandwidth limit (git-annex runs one
// special remote process per job).
func jobs() int {
	n, err := strconv.Atoi(os.Getenv(EnvJobs))
	if err != nil || n < 1 {
		return 1
	}
	return n
}
