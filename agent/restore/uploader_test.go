package restore

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// donorRepo makes a git-annex repository holding files, set up by hand as
// some other party would (testkit.HandEnv), and returns it with the key
// of each file.
func donorRepo(t *testing.T, files map[string]string) (string, map[string]string) {
	t.Helper()
	testkit.RequireGitAnnex(t)
	env := testkit.HandEnv(t)
	dir := testkit.WriteFiles(t, files)
	testkit.Run(t, env, dir, "git", "init", "-q")
	testkit.Run(t, env, dir, "git", "annex", "init", "-q", "donor")
	keys := map[string]string{}
	for name := range files {
		testkit.Run(t, env, dir, "git", "annex", "add", "-q", name)
		keys[name] = strings.TrimSpace(testkit.Run(t, env, dir, "git", "annex", "lookupkey", name))
	}
	testkit.Run(t, env, dir, "git", "commit", "-qm", "files")
	return dir, keys
}

// sh runs a command in dir and returns its output, trimmed.
func sh(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return strings.TrimSpace(testkit.Run(t, testkit.Env(t), dir, args...))
}

// testUploader wires an Uploader to a repo, a home and the fake hub.
type testUploader struct {
	*Uploader
	home   home.Home
	mu     sync.Mutex
	events []control.Event
	envs   [][]string
	gate   bool
	pushes int
}

func newTestUploader(t *testing.T, f *fakeHub, repo string) *testUploader {
	t.Helper()
	h := home.Home{Dir: t.TempDir()}
	cfg := home.Config{Hub: f.srv.URL, DonorUUID: f.donor, Token: f.token,
		Shards: []home.ShardConfig{{Name: "shard-0001", Path: repo}}}
	if err := h.SaveConfig(cfg); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(f.srv.URL, f.donor, f.token)
	if err != nil {
		t.Fatal(err)
	}
	tu := &testUploader{home: h, gate: true}
	exe, _ := os.Executable()
	tu.Uploader = New(Deps{
		Client: c, Home: h, Program: exe,
		Shards: func() []Shard { return []Shard{{Name: "shard-0001", Dir: repo}} },
		Holds: func(shard, key string) bool {
			return exec.Command("git", "-C", repo, "annex", "contentlocation", key).Run() == nil
		},
		Annex: func(ctx context.Context, dir string, env []string, stdin io.Reader, args ...string) ([]byte, error) {
			tu.mu.Lock()
			tu.envs = append(tu.envs, env)
			tu.mu.Unlock()
			return annex.Git{Bin: "git-annex", Dir: dir, Env: env}.Output(ctx, stdin, args...)
		},
		Git: func(ctx context.Context, dir string, args ...string) ([]byte, error) {
			return annex.Git{Dir: dir}.Output(ctx, nil, args...)
		},
		Gate: func() (bool, string) {
			tu.mu.Lock()
			defer tu.mu.Unlock()
			return tu.gate, "Waiting for the download hours (01:00-07:00)."
		},
		Push: func(context.Context) error { tu.mu.Lock(); tu.pushes++; tu.mu.Unlock(); return nil },
		Emit: func(ev control.Event) { tu.mu.Lock(); tu.events = append(tu.events, ev); tu.mu.Unlock() },
	})
	return tu
}

func (tu *testUploader) kinds(kind string) []string {
	tu.mu.Lock()
	defer tu.mu.Unlock()
	var out []string
	for _, ev := range tu.events {
		if ev.Kind == kind {
			out = append(out, ev.Message)
		}
	}
	return out
}

func TestUploaderSendsHeldFilesThroughGitAnnex(t *testing.T) {
	f := newFakeHub(t)
	repo, keys := donorRepo(t, map[string]string{"a.bin": "alpha bytes", "b.bin": "bravo bytes, a few more"})
	f.add(Request{ID: "q1", Shard: "shard-0001", Key: keys["a.bin"], Size: 11, Path: "a.bin"})
	f.add(Request{ID: "q2", Shard: "shard-0001", Key: keys["b.bin"], Size: 23, Path: "b.bin"})
	notHeld := "SHA256E-s5--" + strings.Repeat("ab", 32) + ".bin"
	f.add(Request{ID: "q3", Shard: "shard-0001", Key: notHeld, Size: 5, Path: "c.bin"})
	tu := newTestUploader(t, f, repo)

	// A closed gate (paused, or outside the hours with restores kept to
	// them) uploads nothing, but the requests show.
	tu.gate = false
	tu.Round(context.Background())
	if f.puts != 0 {
		t.Fatalf("%d uploads while the gate was closed", f.puts)
	}
	if st := tu.Status(); st.Requested != 2 {
		t.Errorf("status %+v: want 2 requested (the third key is not held here)", st)
	}

	tu.gate = true
	tu.Round(context.Background())
	for name, body := range map[string]string{"a.bin": "alpha bytes", "b.bin": "bravo bytes, a few more"} {
		if got := string(f.got[keys[name]]); got != body {
			t.Errorf("hub got %q for %s, want %q", got, name, body)
		}
		// git-annex recorded the copy at the restore remote's UUID.
		if err := exec.Command("git", "-C", repo, "annex", "readpresentkey", keys[name], f.rUUID).Run(); err != nil {
			t.Errorf("location log of %s has no present line for the restore remote %s", name, f.rUUID)
		}
	}
	st := tu.Status()
	if st != (control.RestoreStatus{Requested: 0, Uploaded: 2, BytesUploaded: 34}) {
		t.Errorf("status %+v, want 0 requested, 2 uploaded, 34 bytes", st)
	}
	if tu.pushes != 1 {
		t.Errorf("pushed %d times after the uploads, want 1", tu.pushes)
	}
	if thanks := tu.kinds(control.EventRestoreVerified); len(thanks) != 2 || !strings.Contains(thanks[0], "Thank you") {
		t.Errorf("thanks events %q, want one per verified upload", thanks)
	}
	for _, env := range tu.envs {
		for _, kv := range env {
			if strings.Contains(kv, f.token) {
				t.Errorf("the token reached git-annex's environment: %q", kv)
			}
		}
	}
	for _, a := range f.auths {
		if a != "Bearer "+f.token {
			t.Errorf("a request without the donor's token: %q", a)
		}
	}
	// Counters survive a restart; nothing is sent twice.
	again := newTestUploader(t, f, repo)
	again.home = tu.home
	again.Uploader = New(Deps{Home: tu.home})
	if st := again.Status(); st.Uploaded != 2 || st.BytesUploaded != 34 {
		t.Errorf("after a restart: %+v", st)
	}
	puts := f.puts
	tu.Round(context.Background())
	if f.puts != puts {
		t.Errorf("a second round uploaded again (%d puts, was %d)", f.puts, puts)
	}
	if ReadStatus(tu.home).Uploaded != 2 {
		t.Errorf("ReadStatus %+v", ReadStatus(tu.home))
	}
}

// Bytes that do not match the key are refused by the hub: the upload
// fails with the hub's reason, is not counted, and is retried later.
func TestUploaderReportsRefusal(t *testing.T) {
	f := newFakeHub(t)
	repo, keys := donorRepo(t, map[string]string{"a.bin": "alpha bytes"})
	obj := filepath.Join(repo, sh(t, repo, "git", "annex", "contentlocation", keys["a.bin"]))
	os.Chmod(filepath.Dir(obj), 0o755)
	os.Chmod(obj, 0o644)
	os.WriteFile(obj, []byte("ALPHA BYTES"), 0o644)
	f.add(Request{ID: "q1", Shard: "shard-0001", Key: keys["a.bin"], Size: 11, Path: "a.bin"})
	tu := newTestUploader(t, f, repo)
	tu.Round(context.Background())
	if len(f.got) != 0 || f.puts != 1 {
		t.Fatalf("hub got %d files in %d puts, want the one bad upload refused", len(f.got), f.puts)
	}
	msgs := strings.Join(tu.kinds(control.EventRestore), "\n")
	if !strings.Contains(msgs, "do not match") {
		t.Errorf("events do not say why the hub refused:\n%s", msgs)
	}
	if st := tu.Status(); st.Uploaded != 0 {
		t.Errorf("a refused upload counted: %+v", st)
	}
	if err := exec.Command("git", "-C", repo, "annex", "readpresentkey", keys["a.bin"], f.rUUID).Run(); err == nil {
		t.Error("a refused upload was recorded in the location log")
	}
	tu.Round(context.Background())
	if f.puts != 1 {
		t.Errorf("retried at once (%d puts): a failure waits RetryAfter", f.puts)
	}
}

// The special remote throttles to the donor's bandwidth setting and stops
// when the donor pauses, reading the home while it uploads.
func TestStoreObeysPauseAndRate(t *testing.T) {
	f := newFakeHub(t)
	h := home.Home{Dir: t.TempDir()}
	h.SaveConfig(home.Config{Hub: f.srv.URL, DonorUUID: f.donor, Token: f.token})
	home.WriteJSON(h.SettingsPath(), control.Settings{BandwidthKBps: 64})
	b := &homeBackend{home: h, now: time.Now}
	if rate, paused := b.policy(); rate != 64*1024 || paused {
		t.Errorf("policy %d %v, want 65536 not paused", rate, paused)
	}
	h.SaveState(home.State{Paused: true})
	if _, paused := b.policy(); !paused {
		t.Error("a paused home reads as not paused")
	}
	h.SaveState(home.State{Paused: true, PausedUntil: time.Now().Add(-time.Minute)})
	if _, paused := b.policy(); paused {
		t.Error("a snooze that ended still pauses uploads")
	}
	// A paused donor's upload ends with ErrPaused at its first read.
	h.SaveState(home.State{Paused: true})
	body := newThrottled(context.Background(), bytes.NewReader(make([]byte, 100)), b.policy, nil)
	if _, err := body.Read(make([]byte, 10)); err != ErrPaused {
		t.Errorf("read while paused: %v, want ErrPaused", err)
	}
	// Unpaused, every byte arrives and progress counts up to the size.
	h.SaveState(home.State{})
	var last int64
	body = newThrottled(context.Background(), bytes.NewReader(make([]byte, 5000)), b.policy, func(n int64) { last = n })
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(body); err != nil || buf.Len() != 5000 || last != 5000 {
		t.Errorf("read %d bytes (err %v), progress %d; want 5000", buf.Len(), err, last)
	}
}

// The donor pauses while a slow upload runs: the special remote reads the
// pause from the home and ends the upload; nothing is counted or stored.
func TestPauseEndsAnUploadUnderWay(t *testing.T) {
	f := newFakeHub(t)
	body := strings.Repeat("slow bytes ", 4000) // 44 KB at 4 KB/s: about 11 s
	repo, keys := donorRepo(t, map[string]string{"big.bin": body})
	f.add(Request{ID: "q1", Shard: "shard-0001", Key: keys["big.bin"], Size: int64(len(body)), Path: "big.bin"})
	tu := newTestUploader(t, f, repo)
	home.WriteJSON(tu.home.SettingsPath(), control.Settings{BandwidthKBps: 8}) // shared by -J2
	done := make(chan struct{})
	go func() { tu.Round(context.Background()); close(done) }()
	<-f.started
	if err := tu.home.SaveState(home.State{Paused: true}); err != nil {
		t.Fatal(err)
	}
	<-done
	if len(f.got) != 0 {
		t.Errorf("the hub stored %d files from an upload the donor paused", len(f.got))
	}
	if st := tu.Status(); st.Uploaded != 0 {
		t.Errorf("a paused upload counted: %+v", st)
	}
	if msgs := strings.Join(tu.kinds(control.EventRestore), "\n"); !strings.Contains(msgs, "paused") {
		t.Errorf("events do not say the upload was paused:\n%s", msgs)
	}
}

func TestShardOfMatchesTheRepository(t *testing.T) {
	dir := t.TempDir()
	cfg := home.Config{Shards: []home.ShardConfig{{Name: "shard-0007", Path: filepath.Join(dir, "s7")}}}
	os.MkdirAll(filepath.Join(dir, "s7", ".git"), 0o755)
	t.Setenv(EnvShard, "")
	if got := shardOf(cfg, filepath.Join(dir, "s7", ".git")); got != "shard-0007" {
		t.Errorf("shardOf = %q", got)
	}
	if got := shardOf(cfg, filepath.Join(dir, "other", ".git")); got != "" {
		t.Errorf("shardOf of a foreign repository = %q", got)
	}
	t.Setenv(EnvShard, "shard-0009")
	if got := shardOf(cfg, "/nowhere"); got != "shard-0009" {
		t.Errorf("shardOf with %s set = %q", EnvShard, got)
	}
}
