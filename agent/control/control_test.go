package control

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
)

type fakeAPI struct{ paused bool }

func (f *fakeAPI) Status(context.Context) (Status, error) {
	return Status{FilesProtected: 7, Paused: f.paused, State: StateIdle}, nil
}
func (f *fakeAPI) Pause(context.Context) error  { f.paused = true; return nil }
func (f *fakeAPI) Resume(context.Context) error { return errors.New("cannot resume now") }

func TestControlRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("socket mode %o, want 600", perm)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api := &fakeAPI{}
	go Serve(ctx, ln, api)

	c := NewClient(path)
	if err := c.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx)
	if err != nil || st.FilesProtected != 7 || !st.Paused {
		t.Fatalf("status %+v %v", st, err)
	}
	if err := c.Resume(ctx); err == nil || err.Error() != "cannot resume now" {
		t.Errorf("agent error not passed on: %v", err)
	}
	if _, err := Listen(path); !errors.Is(err, ErrAgentRunning) {
		t.Errorf("second agent on the same home: %v, want ErrAgentRunning", err)
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
