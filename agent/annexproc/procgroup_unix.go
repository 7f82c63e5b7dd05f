//go:build unix

package annexproc

import (
	"os/exec"
	"syscall"

	"github.com/shardkeeper/shardkeeper/internal/childproc"
)

// OwnGroup runs cmd in its own process group and makes cancelling it send
// sig to the whole group, so git-annex's helpers (git cat-file, ...) stop
// with it and never hold its pipes open; SigGentle goes to git-annex only.
func OwnGroup(cmd *exec.Cmd, sig syscall.Signal) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	childproc.DieWithParent(cmd) // its own group: the agent's death would not reach it
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		if sig == SigGentle {
			// git-annex alone: its git helpers finish what they write (a
			// git update-ref killed mid-way leaves a lock that fails every
			// later git-annex command).
			return syscall.Kill(cmd.Process.Pid, sig)
		}
		return syscall.Kill(-cmd.Process.Pid, sig)
	}
}

const (
	SigStop   = syscall.SIGKILL // a download: partial content stays for resume
	SigGentle = syscall.SIGINT  // fsck: let git-annex record where it got to
	// SigEnd ends the whole group at once (an upload: git-annex, its
	// special remote, curl), yet lets git remove its lock files: a git
	// update-index that git-annex was committing the journal with, killed
	// with SIGKILL, leaves .git/annex/index.lock and every later git-annex
	// command fails on it.
	SigEnd = syscall.SIGTERM
)

// Hold stops a process group started with OwnGroup (SIGSTOP): verification
// holds fsck this way to keep to its I/O limit. Release lets it go on.
func Hold(pid int) error { return syscall.Kill(-pid, syscall.SIGSTOP) }

// Release continues a process group held by Hold (SIGCONT).
func Release(pid int) error { return syscall.Kill(-pid, syscall.SIGCONT) }
