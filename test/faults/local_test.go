//go:build faults

package faults

import (
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// otherUser creates a local user for the test (root only) and returns
// its credential.
func otherUser(t *testing.T) *syscall.Credential {
	t.Helper()
	requireRoot(t, "creating another local user")
	name := "skfault" + strconv.Itoa(os.Getpid()%100000)
	if out, err := exec.Command("useradd", "--no-create-home", "--shell", "/bin/sh", name).CombinedOutput(); err != nil {
		t.Skipf("skipped: useradd %s: %v %s", name, err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", name).Run() })
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// asUser runs a command as another user.
func asUser(cred *syscall.Credential, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Env = []string{"HOME=/tmp", "PATH=/usr/bin:/bin"}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestLocalSecurity: another local user cannot reach the agent's control
// API nor read its state (token, config, log); the shared files are not
// the secret. Tokens never appear in logs, errors or status output.
func TestLocalSecurity(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 6, 4<<10, nil)
	d := w.join(t, "me", 1<<20)
	conf := readDonor(t, d)
	a := startAgent(t, d, "--interval", "1h")
	sock := ""
	waitFor(t, "the control socket", 30*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(d.home, "*.sock"))
		if len(m) > 0 {
			sock = m[0]
		}
		return sock != ""
	})
	st, raw := status(t, d)

	// Permissions: the home (state, token) is the donor's alone.
	for _, p := range []string{d.home, filepath.Join(d.home, "config.json"), sock} {
		info, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is mode %v: other users may reach it", p, info.Mode().Perm())
		}
	}

	if os.Geteuid() == 0 {
		cred := otherUser(t)
		// Make the way to the home passable, as a real home's parent is.
		for dir := filepath.Dir(d.home); dir != "/"; dir = filepath.Dir(dir) {
			if info, err := os.Stat(dir); err == nil {
				os.Chmod(dir, info.Mode().Perm()|0o011)
			}
		}
		if out, err := asUser(cred, shardkeeperBin, "status", "--home", d.home); err == nil {
			t.Errorf("another user read the agent's status:\n%s", out)
		}
		if out, err := asUser(cred, "cat", filepath.Join(d.home, "config.json")); err == nil || strings.Contains(out, conf.Token) {
			t.Errorf("another user read the donor's config: %v\n%s", err, out)
		}
		// Straight at the socket, had the home been open.
		os.Chmod(d.home, 0o711)
		if out, err := asUser(cred, "sh", "-c", "exec 3<>/dev/null; cat "+sock); err == nil {
			t.Errorf("another user opened the control socket: %s", out)
		}
		if c, err := dialAs(cred, sock); err == nil {
			c.Close()
			t.Errorf("another user connected to the control socket")
		}
		os.Chmod(d.home, 0o700)
	}

	// The token is nowhere it should not be.
	a.kill9()
	bad := run(t, shardkeeperBin, "join", "--home", d.home, "--hub", "http://127.0.0.1:1", "--storage", d.storage, "--budget", "1MB")
	logs, _ := filepath.Glob(filepath.Join(d.home, "*.log*"))
	places := map[string]string{"status --json": raw, "a failed join": bad.Stdout + bad.Stderr, "agent output": a.out.String()}
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		places[l] = string(b)
	}
	hl, _ := os.ReadFile(w.hub.log)
	places["hub log"] = string(hl)
	for where, text := range places {
		if strings.Contains(text, conf.Token) {
			t.Errorf("the token appears in %s", where)
		}
	}
	_ = st
}

// dialAs connects to a Unix socket as another user, through a child
// process (a process's credentials cannot change per call).
func dialAs(cred *syscall.Credential, sock string) (net.Conn, error) {
	out, err := asUser(cred, "python3", "-c",
		"import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\nprint('connected')", sock)
	if err == nil && strings.Contains(out, "connected") {
		return fakeConn{}, nil
	}
	return nil, os.ErrPermission
}

type fakeConn struct{ net.Conn }

func (fakeConn) Close() error { return nil }
