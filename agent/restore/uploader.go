package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// Shard is one of the donor's shard repositories on connected storage.
type Shard struct {
	Name string
	Dir  string
}

// AnnexFunc runs git-annex in a repository with extra environment and
// stdin, and returns its stdout (also when it fails).
type AnnexFunc func(ctx context.Context, dir string, env []string, stdin io.Reader, args ...string) ([]byte, error)

// Deps are what the Uploader needs from the agent.
type Deps struct {
	Client *Client
	Home   home.Home
	// Shards lists the donor's shards on connected storage.
	Shards func() []Shard
	// Holds says whether this donor holds a key's content now.
	Holds func(shard, key string) bool
	Annex AnnexFunc
	Git   GitFunc
	// Gate says whether uploads may run now (not paused; inside the
	// download hours unless the donor helps restores at any time) and,
	// if not, why. The bandwidth limit is the special remote's own (it
	// reads the donor's settings while it uploads).
	Gate func() (ok bool, why string)
	// Push reports the donor's git-annex branch to the hub.
	Push func(ctx context.Context) error
	// Emit tells the donor (the agent's events).
	Emit func(control.Event)
	// Program is the shardkeeper binary git-annex runs as
	// git-annex-remote-shardkeeper (default: this executable).
	Program string
	Log     *slog.Logger
	Now     func() time.Time
	After   func(time.Duration) <-chan time.Time
	// PollEvery is how often the hub is asked for requests (default 30s).
	PollEvery time.Duration
	// Jobs is how many uploads run at once per shard (default 2); the
	// bandwidth limit is shared between them.
	Jobs int
	// RetryAfter is how long a failed upload waits before it is tried
	// again (default 5m).
	RetryAfter time.Duration
}

// Uploader sends back the files the hub asks this donor for.
type Uploader struct {
	d    Deps
	kick chan struct{}

	mu        sync.Mutex
	rec       record
	requested int64
	failed    map[string]time.Time // request ID -> last failure
	warned    bool                 // an older hub: said once
	remotes   map[string]string    // shard dir -> remote UUID set up
	binDir    string
}

// record is what survives restarts, in the home's restore.json.
type record struct {
	Uploaded      int64              `json:"uploaded"`
	BytesUploaded int64              `json:"bytes_uploaded"`
	Done          map[string]string  `json:"done,omitempty"`    // request ID -> state reached
	Pending       map[string]pending `json:"pending,omitempty"` // uploaded, not yet verified
}

// pending is an accepted upload the hub has not verified yet (an MD5-only
// key waits for a second donor); forgotten after pendingFor.
type pending struct {
	Request
	At time.Time `json:"at"`
}

const pendingFor = 7 * 24 * time.Hour

// New prepares an Uploader; it reads the home's record of past uploads.
func New(d Deps) *Uploader {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.After == nil {
		d.After = time.After
	}
	if d.PollEvery <= 0 {
		d.PollEvery = 30 * time.Second
	}
	if d.Jobs <= 0 {
		d.Jobs = 2
	}
	if d.RetryAfter <= 0 {
		d.RetryAfter = 5 * time.Minute
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Emit == nil {
		d.Emit = func(control.Event) {}
	}
	u := &Uploader{d: d, kick: make(chan struct{}, 1), failed: map[string]time.Time{}, remotes: map[string]string{}}
	home.ReadJSON(recordPath(d.Home), &u.rec)
	return u
}

func recordPath(h home.Home) string { return filepath.Join(h.Dir, "restore.json") }

// ReadStatus is the restore status of a home whose agent is not running.
func ReadStatus(h home.Home) control.RestoreStatus {
	var r record
	home.ReadJSON(recordPath(h), &r)
	return control.RestoreStatus{Uploaded: r.Uploaded, BytesUploaded: r.BytesUploaded}
}

// Status is what status --json shows.
func (u *Uploader) Status() control.RestoreStatus {
	u.mu.Lock()
	defer u.mu.Unlock()
	return control.RestoreStatus{Requested: u.requested, Uploaded: u.rec.Uploaded, BytesUploaded: u.rec.BytesUploaded}
}

// Kick asks for a round now (after resume, or a gate that opened).
func (u *Uploader) Kick() {
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

// Run polls the hub every PollEvery and uploads what it asks for, until
// ctx ends.
func (u *Uploader) Run(ctx context.Context) {
	for {
		wait := u.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-u.kick:
		case <-u.d.After(wait):
		}
	}
}

// Round asks the hub once, uploads what this donor holds of it, pushes
// when something was uploaded, and says when to ask again.
func (u *Uploader) Round(ctx context.Context) time.Duration {
	reqs, err := u.d.Client.List(ctx)
	if errors.Is(err, ErrNotSupported) {
		u.mu.Lock()
		if !u.warned {
			u.d.Log.Info("the hub takes no restores yet; asking again later")
		}
		u.warned = true
		u.mu.Unlock()
		return 10 * u.d.PollEvery
	}
	if err != nil {
		u.d.Log.Warn("could not ask the hub for restore requests", "err", err)
		return u.d.PollEvery
	}
	todo := u.mine(reqs.Requests)
	u.checkPending(ctx)
	uploaded := 0
	for _, batch := range u.byShard(todo) {
		if ctx.Err() != nil {
			break
		}
		if ok, why := u.d.Gate(); !ok {
			u.d.Log.Info("restore uploads wait", "why", why, "files", len(todo))
			break
		}
		uploaded += u.upload(ctx, batch, reqs.RemoteUUIDByShard[batch[0].Shard])
	}
	if uploaded > 0 {
		if err := u.d.Push(ctx); err != nil && ctx.Err() == nil {
			u.d.Log.Warn("could not report the restore uploads to the hub yet", "err", err)
		}
		u.checkPending(ctx)
	}
	return u.d.PollEvery
}

// mine keeps the requests for keys this donor holds and has not already
// sent, counts them for status, and forgets old bookkeeping.
func (u *Uploader) mine(all []Request) []Request {
	dirs := map[string]bool{}
	for _, sh := range u.d.Shards() {
		dirs[sh.Name] = true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	open := map[string]bool{}
	var out []Request
	for _, r := range all {
		open[r.ID] = true
		if !dirs[r.Shard] || u.rec.Done[r.ID] != "" || !u.d.Holds(r.Shard, r.Key) {
			continue
		}
		out = append(out, r)
	}
	for id := range u.rec.Done {
		if _, pending := u.rec.Pending[id]; !open[id] && !pending {
			delete(u.rec.Done, id)
		}
	}
	for id, p := range u.rec.Pending {
		if u.d.Now().Sub(p.At) > pendingFor {
			delete(u.rec.Pending, id)
		}
	}
	u.requested = int64(len(out))
	return out
}

func (u *Uploader) retryLater(id string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	t, ok := u.failed[id]
	return ok && u.d.Now().Sub(t) < u.d.RetryAfter
}

func (u *Uploader) shardDir(name string) string {
	for _, sh := range u.d.Shards() {
		if sh.Name == name {
			return sh.Dir
		}
	}
	return ""
}

// byShard groups the requests not waiting for a retry by shard, in the
// hub's order.
func (u *Uploader) byShard(todo []Request) [][]Request {
	idx := map[string]int{}
	var out [][]Request
	for _, r := range todo {
		if u.retryLater(r.ID) {
			continue
		}
		i, ok := idx[r.Shard]
		if !ok {
			i = len(out)
			idx[r.Shard] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], r)
	}
	return out
}

// upload sends a shard's requested files with one
// `git annex copy --to shardhub-restore --batch-keys -J N`, which records
// each copy in the donor's location log; it returns how many the hub
// accepted.
func (u *Uploader) upload(ctx context.Context, reqs []Request, remoteUUID string) int {
	shard := reqs[0].Shard
	dir := u.shardDir(shard)
	if dir == "" || remoteUUID == "" {
		return 0
	}
	env, err := u.prepare(ctx, dir, remoteUUID, shard)
	if err != nil {
		u.d.Log.Warn("cannot upload for the restore", "err", err)
		for _, r := range reqs {
			u.fail(r, err)
		}
		return 0
	}
	var keys strings.Builder
	for _, r := range reqs {
		keys.WriteString(r.Key + "\n")
	}
	u.d.Emit(control.Event{Kind: control.EventRestore, Shard: shard,
		Message: "Sending " + words.Count(int64(len(reqs)), "file", "files") + " back to the archive"})
	cctx, cancel := context.WithCancel(ctx)
	stopped := make(chan string, 1)
	go u.watchGate(cctx, cancel, stopped)
	// One try each: a refused upload must not be sent twice (the hub
	// counts refusals against the donor); the agent tries again later.
	// (The remote's own annex-forward-retry is not read by 10.20230126.)
	out, _ := u.d.Annex(cctx, dir, append(env, EnvJobs+"="+strconv.Itoa(u.d.Jobs)), strings.NewReader(keys.String()),
		"copy", "-c", "annex.forward-retry=0", "--to", RemoteName, "--batch-keys", "-J", strconv.Itoa(u.d.Jobs),
		"--json", "--json-error-messages")
	cancel()
	results := parseCopy(out)
	gateClosed := len(stopped) > 0
	if gateClosed {
		u.d.Log.Info("restore uploads stopped", "why", <-stopped)
	}
	n := 0
	for _, r := range reqs {
		res, ok := results[r.Key]
		switch {
		case ok && res.ok:
			u.done(r)
			n++
		case ok && ctx.Err() == nil && !gateClosed:
			u.fail(r, errors.New(res.msg))
		}
	}
	return n
}

// watchGate ends an upload when the donor pauses or the hours close.
func (u *Uploader) watchGate(ctx context.Context, cancel context.CancelFunc, stopped chan<- string) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		if ok, why := u.d.Gate(); !ok {
			stopped <- why
			cancel()
			return
		}
	}
}

// prepare sets up the remote in the repository and the program on
// git-annex's PATH, and returns git-annex's environment: the home (the
// token stays in its config), never the token itself.
func (u *Uploader) prepare(ctx context.Context, dir, remoteUUID, shard string) ([]string, error) {
	u.mu.Lock()
	have, binDir := u.remotes[dir], u.binDir
	u.mu.Unlock()
	if have != remoteUUID {
		if err := EnsureRemote(ctx, u.d.Git, dir, remoteUUID); err != nil {
			return nil, err
		}
	}
	if binDir == "" {
		exe := u.d.Program
		if exe == "" {
			var err error
			if exe, err = os.Executable(); err != nil {
				return nil, fmt.Errorf("find the shardkeeper program: %w", err)
			}
		}
		var err error
		if binDir, err = EnsureProgram(filepath.Join(u.d.Home.Dir, "bin"), exe); err != nil {
			return nil, err
		}
	}
	u.mu.Lock()
	u.remotes[dir], u.binDir = remoteUUID, binDir
	u.mu.Unlock()
	return []string{
		"PATH=" + PathWith(binDir, os.Getenv("PATH")),
		home.EnvVar + "=" + u.d.Home.Dir,
		EnvShard + "=" + shard,
	}, nil
}

// done counts an accepted upload and asks the hub whether it is verified.
func (u *Uploader) done(r Request) {
	u.mu.Lock()
	u.rec.Uploaded++
	u.rec.BytesUploaded += r.Size
	if u.rec.Done == nil {
		u.rec.Done = map[string]string{}
	}
	if u.rec.Pending == nil {
		u.rec.Pending = map[string]pending{}
	}
	u.rec.Done[r.ID] = StateUploaded
	u.rec.Pending[r.ID] = pending{r, u.d.Now()}
	u.requested = max(u.requested-1, 0)
	delete(u.failed, r.ID)
	u.saveLocked()
	u.mu.Unlock()
	u.d.Log.Info("restore upload accepted", "shard", r.Shard, "key", r.Key, "path", r.Path, "bytes", r.Size)
	u.d.Emit(control.Event{Kind: control.EventRestore, Message: "Sent " + r.Path + " back to the archive", Shard: r.Shard, Key: r.Key, File: r.Path})
}

func (u *Uploader) fail(r Request, err error) {
	u.mu.Lock()
	u.failed[r.ID] = u.d.Now()
	u.mu.Unlock()
	u.d.Log.Warn("restore upload failed", "shard", r.Shard, "key", r.Key, "err", err)
	u.d.Emit(control.Event{Kind: control.EventRestore, Message: "Could not send " + r.Path + " back to the archive: " + err.Error(), Shard: r.Shard, Key: r.Key, File: r.Path})
}

// checkPending asks the hub about uploads not yet verified, and thanks
// the donor for each one that is.
func (u *Uploader) checkPending(ctx context.Context) {
	u.mu.Lock()
	pending := make([]Request, 0, len(u.rec.Pending))
	for _, p := range u.rec.Pending {
		pending = append(pending, p.Request)
	}
	u.mu.Unlock()
	for _, r := range pending {
		ok, err := u.d.Client.Verified(ctx, r.Shard, r.Key)
		if err != nil || !ok {
			continue
		}
		u.mu.Lock()
		delete(u.rec.Pending, r.ID)
		u.rec.Done[r.ID] = StateVerified
		u.saveLocked()
		u.mu.Unlock()
		u.d.Emit(control.Event{Kind: control.EventRestoreVerified, Shard: r.Shard, Key: r.Key, File: r.Path,
			Message: "Thank you: the archive verified " + r.Path + " that you sent back"})
	}
}

func (u *Uploader) saveLocked() {
	if err := home.WriteJSON(recordPath(u.d.Home), u.rec); err != nil {
		u.d.Log.Warn("could not save the restore record", "err", err)
	}
}
