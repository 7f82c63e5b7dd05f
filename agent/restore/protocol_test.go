package restore

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// fakeBackend records what the protocol asked of it.
type fakeBackend struct {
	gitDir, uuid string
	stored       map[string]string // key -> file
	present      map[string]bool
	storeErr     error
}

func (f *fakeBackend) Prepare(ctx context.Context, gitDir, uuid string) error {
	f.gitDir, f.uuid = gitDir, uuid
	return nil
}

func (f *fakeBackend) Store(ctx context.Context, key, file string, progress func(int64)) (string, error) {
	if f.storeErr != nil {
		return "", f.storeErr
	}
	progress(3)
	f.stored[key] = file
	return "the archive verified this file: thank you", nil
}

func (f *fakeBackend) CheckPresent(ctx context.Context, key string) (bool, error) {
	if key == "BROKEN" {
		return false, errors.New("the hub does not answer")
	}
	return f.present[key], nil
}

// annexSide plays git-annex: it sends requests and reads the replies.
type annexSide struct {
	t   *testing.T
	w   io.Writer
	r   *bufio.Reader
	end chan error
}

func startSession(t *testing.T, b Backend) *annexSide {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &annexSide{t: t, w: inW, r: bufio.NewReader(outR), end: make(chan error, 1)}
	go func() {
		err := Serve(context.Background(), inR, outW, b)
		outW.Close()
		s.end <- err
	}()
	t.Cleanup(func() { inW.Close() })
	return s
}

func (s *annexSide) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.w, line+"\n"); err != nil {
		s.t.Fatal(err)
	}
}

func (s *annexSide) expect(want string) {
	s.t.Helper()
	got, err := s.r.ReadString('\n')
	if err != nil {
		s.t.Fatalf("waiting for %q: %v", want, err)
	}
	if got = strings.TrimRight(got, "\n"); got != want {
		s.t.Fatalf("special remote said %q, want %q", got, want)
	}
}

func TestProtocolSession(t *testing.T) {
	b := &fakeBackend{stored: map[string]string{}, present: map[string]bool{"K2": true}}
	s := startSession(t, b)
	s.expect("VERSION 1")
	s.send("EXTENSIONS INFO GETGITREMOTENAME ASYNC")
	s.expect("EXTENSIONS INFO")
	s.send("PREPARE")
	s.expect("GETGITDIR")
	s.send("VALUE .git")
	s.expect("GETUUID")
	s.send("VALUE 11111111-2222-3333-4444-555555555555")
	s.expect("PREPARE-SUCCESS")
	if b.gitDir != ".git" || b.uuid != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("prepare got %q %q", b.gitDir, b.uuid)
	}
	s.send("GETCOST")
	s.expect("COST 1000")
	s.send("GETAVAILABILITY")
	s.expect("AVAILABILITY GLOBAL")
	s.send("CHECKPRESENT K1")
	s.expect("CHECKPRESENT-FAILURE K1")
	s.send("CHECKPRESENT K2")
	s.expect("CHECKPRESENT-SUCCESS K2")
	s.send("CHECKPRESENT BROKEN")
	s.expect("CHECKPRESENT-UNKNOWN BROKEN the hub does not answer")
	s.send("TRANSFER STORE K1 .git/annex/objects/a b/K1")
	s.expect("PROGRESS 3")
	s.expect("INFO the archive verified this file: thank you")
	s.expect("TRANSFER-SUCCESS STORE K1")
	if b.stored["K1"] != ".git/annex/objects/a b/K1" {
		t.Errorf("stored %v: a file name with a space must reach the backend whole", b.stored)
	}
	s.send("TRANSFER RETRIEVE K1 /tmp/x")
	s.expect("TRANSFER-FAILURE RETRIEVE K1 " + ErrRetrieveUnsupported.Error())
	s.send("REMOVE K1")
	s.expect("REMOVE-FAILURE K1 only the archive removes files from its restore area")
	s.send("EXPORTSUPPORTED")
	s.expect("UNSUPPORTED-REQUEST")
	b.storeErr = errors.New("the hub refused (422): the bytes do not match\nthe key")
	s.send("TRANSFER STORE K3 f")
	s.expect("TRANSFER-FAILURE STORE K3 the hub refused (422): the bytes do not match the key")
	s.w.(io.Closer).Close()
	if err := <-s.end; err != nil {
		t.Errorf("session ended with %v, want a clean end when git-annex closes stdin", err)
	}
}

// Without the INFO extension, no INFO message may be sent.
func TestProtocolNoInfoWithoutExtension(t *testing.T) {
	b := &fakeBackend{stored: map[string]string{}}
	s := startSession(t, b)
	s.expect("VERSION 1")
	s.send("PREPARE")
	s.expect("GETGITDIR")
	s.send("VALUE /r/.git")
	s.expect("GETUUID")
	s.send("VALUE u")
	s.expect("PREPARE-SUCCESS")
	s.send("TRANSFER STORE K f")
	s.expect("PROGRESS 3")
	s.expect("TRANSFER-SUCCESS STORE K")
}

func TestIsRemoteProgram(t *testing.T) {
	for name, want := range map[string]bool{
		"/home/d/.config/shardkeeper/bin/git-annex-remote-shardkeeper": true,
		"git-annex-remote-shardkeeper":                                 true,
		`C:\x\git-annex-remote-shardkeeper.exe`:                        true,
		"shardkeeper":                                                  false,
		"git-annex-remote-other":                                       false,
	} {
		if got := IsRemoteProgram(strings.ReplaceAll(name, `\`, "/")); got != want {
			t.Errorf("IsRemoteProgram(%q) = %v", name, got)
		}
	}
}
