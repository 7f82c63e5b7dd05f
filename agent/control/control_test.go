package control

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeAPI records calls; every method works so the routes can be tested.
type fakeAPI struct {
	mu       sync.Mutex
	paused   bool
	until    time.Time
	limits   Limits
	settings Settings
	released string
	deadline time.Time
	left     bool
	verified bool
	storage  []string // "add PATH BYTES" or "remove PATH"
}

func (f *fakeAPI) Status(context.Context) (Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := Status{FilesProtected: 7, Paused: f.paused, State: StateIdle}
	if !f.until.IsZero() {
		st.PausedUntil = &f.until
	}
	return st, nil
}
func (f *fakeAPI) Pause(context.Context) error {
	f.mu.Lock()
	f.paused = true
	f.mu.Unlock()
	return nil
}
func (f *fakeAPI) PauseUntil(_ context.Context, t time.Time) error {
	f.mu.Lock()
	f.paused, f.until = true, t
	f.mu.Unlock()
	return nil
}
func (f *fakeAPI) Resume(context.Context) error { return errors.New("cannot resume now") }
func (f *fakeAPI) PreviewBudget(_ context.Context, l Limits) (BudgetPlan, error) {
	if l.MaxBytes < 0 {
		return BudgetPlan{}, ErrInvalid
	}
	return BudgetPlan{Budget: Budget{Limits: l, EffectiveBytes: l.MaxBytes, Binding: BindMaxBytes}, ReleaseBytes: 10, ReleaseFiles: 1}, nil
}
func (f *fakeAPI) SetBudget(ctx context.Context, l Limits) (BudgetPlan, error) {
	f.limits = l
	return f.PreviewBudget(ctx, l)
}
func (f *fakeAPI) Files(_ context.Context, q FileQuery) (FileList, error) {
	return FileList{Files: []File{{Shard: "s", Path: q.Filter + ".bin", Held: q.HeldOnly}}, Total: 42, Offset: q.Offset}, nil
}
func (f *fakeAPI) Release(_ context.Context, shard, path string) error {
	if path == "missing" {
		return errors.Join(ErrNotFound, errors.New("missing is not a file"))
	}
	f.released = shard + "/" + path
	return nil
}
func (f *fakeAPI) Verify(context.Context) error               { f.verified = true; return nil }
func (f *fakeAPI) Settings(context.Context) (Settings, error) { return f.settings, nil }
func (f *fakeAPI) UpdateSettings(_ context.Context, s Settings) error {
	f.settings = s
	return nil
}
func (f *fakeAPI) Events(ctx context.Context) (<-chan Event, error) {
	ch := make(chan Event, 2)
	ch <- Event{Kind: EventFetched, Message: "old news"}
	go func() {
		select {
		case ch <- Event{Kind: EventPaused, Message: "new"}:
		case <-ctx.Done():
		}
		<-ctx.Done()
		close(ch)
	}()
	return ch, nil
}
func (f *fakeAPI) LogTail(_ context.Context, n int) ([]string, error) {
	return []string{"a", "b"}[:min(n, 2)], nil
}
func (f *fakeAPI) Leave(context.Context) error { f.left = true; return nil }
func (f *fakeAPI) LeaveBy(_ context.Context, d time.Time) error {
	f.left, f.deadline = true, d
	return nil
}

func (f *fakeAPI) AddStorage(_ context.Context, path string, budget int64) (Location, error) {
	if path == "" {
		return Location{}, Invalidf("give the folder's full path")
	}
	f.storage = append(f.storage, fmt.Sprintf("add %s %d", path, budget))
	return Location{Path: path, ID: "loc-1", Online: true, BudgetBytes: budget}, nil
}
func (f *fakeAPI) RemoveStorage(_ context.Context, path string) error {
	if path == "/main" {
		return Conflictf("/main is your main storage folder")
	}
	f.storage = append(f.storage, "remove "+path)
	return nil
}

func serveFake(t *testing.T) (*fakeAPI, *Client, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	api := &fakeAPI{}
	go Serve(ctx, ln, api)
	return api, NewClient(path), path
}

func TestControlRoundTrip(t *testing.T) {
	api, c, path := serveFake(t)
	ctx := context.Background()
	info, _ := os.Stat(path)
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("socket mode %o, want 600", perm)
	}
	if err := c.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx)
	if err != nil || st.FilesProtected != 7 || !st.Paused {
		t.Fatalf("status %+v %v", st, err)
	}
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := c.PauseUntil(ctx, until); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Status(ctx); st.PausedUntil == nil || !st.PausedUntil.Equal(until) {
		t.Errorf("snooze not passed on: %+v", st.PausedUntil)
	}
	if err := c.Resume(ctx); err == nil || err.Error() != "cannot resume now" {
		t.Errorf("agent error not passed on: %v", err)
	}
	if _, err := c.PreviewBudget(ctx, Limits{MaxBytes: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid budget: %v, want ErrInvalid", err)
	}
	plan, err := c.SetBudget(ctx, Limits{MaxBytes: 5, MaxPercent: 10})
	if err != nil || plan.Budget.EffectiveBytes != 5 || api.limits.MaxPercent != 10 {
		t.Errorf("set budget %+v %v", plan, err)
	}
	list, err := c.Files(ctx, FileQuery{Filter: "x y", HeldOnly: true, Offset: 3, Limit: 5})
	if err != nil || list.Total != 42 || list.Offset != 3 || list.Files[0].Path != "x y.bin" || !list.Files[0].Held {
		t.Errorf("files %+v %v", list, err)
	}
	if err := c.Release(ctx, "s", "a/b.bin"); err != nil || api.released != "s/a/b.bin" {
		t.Errorf("release: %v %q", err, api.released)
	}
	if err := c.Release(ctx, "s", "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("release of a missing file: %v, want ErrNotFound", err)
	}
	if err := c.Verify(ctx); err != nil || !api.verified {
		t.Errorf("verify: %v", err)
	}
	if err := c.UpdateSettings(ctx, Settings{BandwidthKBps: 300, Schedule: "01:00-07:00"}); err != nil {
		t.Fatal(err)
	}
	if s, err := c.Settings(ctx); err != nil || s.BandwidthKBps != 300 || s.Schedule != "01:00-07:00" {
		t.Errorf("settings %+v %v", s, err)
	}
	if lines, err := c.LogTail(ctx, 1); err != nil || len(lines) != 1 {
		t.Errorf("log tail %v %v", lines, err)
	}
	if l, err := c.AddStorage(ctx, "/media/usb/sk", 50e9); err != nil || l.ID != "loc-1" || l.BudgetBytes != 50e9 {
		t.Errorf("add storage: %+v %v", l, err)
	}
	if _, err := c.AddStorage(ctx, "", 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("add storage without a path: %v, want ErrInvalid", err)
	}
	if err := c.RemoveStorage(ctx, "/media/usb/sk"); err != nil {
		t.Errorf("remove storage: %v", err)
	}
	if err := c.RemoveStorage(ctx, "/main"); !errors.Is(err, ErrConflict) || err.Error() != "/main is your main storage folder" {
		t.Errorf("remove the main folder: %v, want ErrConflict with the agent's words", err)
	}
	if want := []string{"add /media/usb/sk 50000000000", "remove /media/usb/sk"}; fmt.Sprint(api.storage) != fmt.Sprint(want) {
		t.Errorf("storage calls %q, want %q", api.storage, want)
	}
	deadline := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	if err := c.LeaveBy(ctx, deadline); err != nil || !api.left || !api.deadline.Equal(deadline) {
		t.Errorf("leave: %v %v", err, api.deadline)
	}
	if _, err := Listen(path); !errors.Is(err, ErrAgentRunning) {
		t.Errorf("second agent on the same home: %v, want ErrAgentRunning", err)
	}
}

func TestEventsStreamHistoryThenLive(t *testing.T) {
	_, c, _ := serveFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for ev := range ch {
		got = append(got, ev.Message)
		if len(got) == 2 {
			cancel()
		}
	}
	if len(got) < 2 || got[0] != "old news" || got[1] != "new" {
		t.Errorf("events %v", got)
	}
}

func TestStaleSocketIsReplacedAndAbsentAgentReported(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "agent.sock")
	// A socket file with nobody listening, as a crashed agent leaves it.
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := NewClient(path).Status(context.Background()); !errors.Is(err, ErrNotRunning) {
		t.Errorf("status without agent: %v, want ErrNotRunning", err)
	}
	ln2, err := Listen(path)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	ln2.Close()
	if _, err := NewClient(filepath.Join(dir, "other.sock")).Status(context.Background()); !errors.Is(err, ErrNotRunning) {
		t.Errorf("another home's socket: %v, want ErrNotRunning", err)
	}
}

// TestTokenEndpoint is the Windows transport (loopback TCP and a token in
// the home), run on every OS: the right token gets in, a wrong or missing
// one is refused, and a live agent is not displaced.
func TestTokenEndpoint(t *testing.T) {
	file := filepath.Join(t.TempDir(), "agent.endpoint")
	ln, ep, err := ListenTCP(file)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o600 {
		t.Errorf("endpoint file mode %o, want 600", info.Mode().Perm())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ServeToken(ctx, ln, &fakeAPI{}, ep.Token)

	if _, err := NewEndpointFileClient(file).Status(ctx); err != nil {
		t.Fatalf("right token refused: %v", err)
	}
	for _, bad := range []string{"", "0123", ep.Token[:len(ep.Token)-1] + "x"} {
		wrong := ep
		wrong.Token = bad
		if _, err := NewEndpointClient(wrong).Status(ctx); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
	if _, _, err := ListenTCP(file); !errors.Is(err, ErrAgentRunning) {
		t.Errorf("second agent on the same endpoint: %v, want ErrAgentRunning", err)
	}
	missing := NewEndpointFileClient(filepath.Join(t.TempDir(), "agent.endpoint"))
	if _, err := missing.Status(ctx); !errors.Is(err, ErrNotRunning) {
		t.Errorf("no endpoint file: %v, want ErrNotRunning", err)
	}
}

func TestSnoozeUntil(t *testing.T) {
	now := time.Date(2026, 3, 14, 22, 30, 0, 0, time.Local)
	for spec, want := range map[string]time.Time{
		"30m":            now.Add(30 * time.Minute),
		"3h":             now.Add(3 * time.Hour),
		"until-tomorrow": time.Date(2026, 3, 15, TomorrowHour, 0, 0, 0, time.Local),
	} {
		if got, err := SnoozeUntil(spec, now); err != nil || !got.Equal(want) {
			t.Errorf("SnoozeUntil(%q) = %v, %v; want %v", spec, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "-1h"} {
		if _, err := SnoozeUntil(bad, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("SnoozeUntil(%q): %v", bad, err)
		}
	}
}
